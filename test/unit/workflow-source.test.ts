// Which workflow code the worker runs: the prebuilt bundle only when compiled and current.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { WORKFLOW_BUNDLE_FILE, workflowSource } from '../../src/workers/workflow-source';

function compiledTree(): { outDir: string; workersDir: string; touch(file: string, atSeconds: number): void } {
  const outDir = mkdtempSync(join(tmpdir(), 'azb-wfsource-'));
  const workersDir = join(outDir, 'src', 'workers');
  mkdirSync(workersDir, { recursive: true });
  mkdirSync(join(outDir, 'src', 'domain'), { recursive: true });
  const touch = (file: string, atSeconds: number) => {
    writeFileSync(join(outDir, file), '');
    utimesSync(join(outDir, file), atSeconds, atSeconds);
  };
  touch('src/workers/main.js', 1_000);
  touch('src/domain/classify.js', 1_000);
  return { outDir, workersDir, touch };
}

describe('workflow source', () => {
  it('bundles at start from source (tsx), whatever is in dist', () => {
    const { workersDir, touch } = compiledTree();
    touch(WORKFLOW_BUNDLE_FILE, 2_000);
    const source = workflowSource({ workersDir, compiled: false });
    assert.equal(source.kind, 'bundle at start');
  });

  it('bundles at start when compiled without a bundle', () => {
    const { workersDir } = compiledTree();
    const source = workflowSource({ workersDir, compiled: true });
    assert.ok(source.kind === 'bundle at start' && /npm run bundle/.test(source.reason));
    assert.equal(source.workflowsPath, join(workersDir, '..', 'workflows'));
  });

  it('uses a bundle at least as new as every compiled file', () => {
    const { outDir, workersDir, touch } = compiledTree();
    touch(WORKFLOW_BUNDLE_FILE, 1_000);
    assert.deepEqual(workflowSource({ workersDir, compiled: true }), {
      kind: 'prebuilt',
      codePath: join(outDir, WORKFLOW_BUNDLE_FILE),
    });
  });

  it('refuses a bundle older than any compiled file (tsc ran again, the bundle did not)', () => {
    const { workersDir, touch } = compiledTree();
    touch(WORKFLOW_BUNDLE_FILE, 2_000);
    touch('src/domain/classify.js', 3_000);
    const source = workflowSource({ workersDir, compiled: true });
    assert.ok(source.kind === 'bundle at start' && /older than the compiled code/.test(source.reason));
  });
});
