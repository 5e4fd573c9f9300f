// `azbackup pipeline` as a user runs it, into the `file` store (a worker-local directory): a directory
// backed up twice and restored into an identical tree, a drill (--verify), a command's output restored
// into a command's input, retention down to the newest run, and usage mistakes refused with exit 2.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cli } from '../support/cli';
import { startTestWorker, uniqueName, type TestWorker } from '../support/stack';
import { buildTree, describeTree } from '../support/tree';

describe('azbackup pipeline CLI', () => {
  let w: TestWorker;
  before(async () => {
    w = await startTestWorker();
  });
  after(() => w?.stop());
  const dir = mkdtempSync(join(tmpdir(), 'azb-pipeline-cli-'));
  const store = join(dir, 'store');
  /** Our flags go before the action's own: after `--`, everything is the command's. */
  const run = ([action, ...args]: string[]) =>
    cli(['pipeline', action!, '--task-queue', w.taskQueue, '--wait', ...args]);

  it('backs up a directory into a file store and restores it; a drill verifies it', async () => {
    const src = join(dir, 'src');
    await buildTree(src, { files: 50 });
    const base = ['--name', 'docs', '--store-dir', store];
    for (let i = 0; i < 2; i++) {
      const b = await run(['backup', ...base, '--dir', src, '--key', 'local', '--workflow-id', uniqueName('cli-b')]);
      assert.equal(b.code, 0, b.out);
      assert.match(b.out, /Backed up run \S+: \d+ bytes read, \d+ stored as pipelines\/docs\/\S+\.tar\.gz\.enc/);
    }
    const out = join(dir, 'restored');
    const r = await run(['restore', ...base, '--to-dir', out, '--workflow-id', uniqueName('cli-r')]);
    assert.equal(r.code, 0, r.out);
    assert.deepEqual(await describeTree(out), await describeTree(src));
    const v = await run(['restore', ...base, '--verify', '--workflow-id', uniqueName('cli-v')]);
    assert.equal(v.code, 0, v.out);
    assert.match(v.out, /both digests verified/);

    const keep = await run(['retention', ...base, '--keep-last', '1', '--workflow-id', uniqueName('cli-k')]);
    assert.equal(keep.code, 0, keep.out);
    assert.match(keep.out, /Forgot 1 run\(s\), kept 1/);
    assert.equal(readdirSync(join(store, 'pipelines', 'docs')).length, 1);
  });

  it("restores a command's output into a command's input", async () => {
    const base = ['--name', 'echo', '--store-dir', store];
    const b = await run(['backup', ...base, '--workflow-id', uniqueName('cli-b'), '--', 'echo', 'héllo pipeline']);
    assert.equal(b.code, 0, b.out);
    const out = join(dir, 'echo.txt');
    const r = await run(['restore', ...base, '--workflow-id', uniqueName('cli-r'), '--', 'sh', '-c', `cat > ${out}`]);
    assert.equal(r.code, 0, r.out);
    assert.equal(readFileSync(out, 'utf8'), 'héllo pipeline\n');
  });

  it('refuses usage mistakes before starting anything', async () => {
    const noSource = await run(['backup', '--name', 'x', '--store-dir', store]);
    assert.equal(noSource.code, 2, noSource.out);
    assert.match(noSource.out, /give the source/);
    const twoTargets = await run(['restore', '--name', 'x', '--store-dir', store, '--verify', '--to-dir', dir]);
    assert.equal(twoTargets.code, 2, twoTargets.out);
    assert.match(twoTargets.out, /give one target/);
  });
});
