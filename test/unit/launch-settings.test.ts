// The worker's launch settings (a young generation of 2 MiB semi-spaces, two malloc arenas) are set where it
// is started, not in the config: every place that starts it must carry the same ones, and a worker started
// without them says so.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { missingLaunchSettings, WORKER_ENV, WORKER_NODE_FLAGS } from '../../src/workers/launch-settings';

const root = join(__dirname, '..', '..');
const scripts = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
  .scripts;
const settings = [
  ...Object.entries(WORKER_ENV).map(([name, value]) => `${name}=${value}`),
  `node ${WORKER_NODE_FLAGS.join(' ')}`,
].join(' ');

describe('worker launch settings', () => {
  it('npm run worker (from source) and npm start (compiled) start the worker with them', () => {
    assert.equal(scripts.worker, `${settings} --import tsx src/workers/main.ts`);
    assert.equal(scripts.start, `${settings} dist/src/workers/main.js`);
  });

  it('finds nothing missing when started with them, on the command line or in NODE_OPTIONS', () => {
    assert.deepEqual(missingLaunchSettings([...WORKER_NODE_FLAGS], { ...WORKER_ENV }), []);
    assert.deepEqual(
      missingLaunchSettings([], { ...WORKER_ENV, NODE_OPTIONS: `--enable-source-maps ${WORKER_NODE_FLAGS.join(' ')}` }),
      [],
    );
  });

  it('names each setting missing', () => {
    assert.deepEqual(missingLaunchSettings([], {}), ['--max-semi-space-size=1', 'MALLOC_ARENA_MAX=2']);
    assert.deepEqual(missingLaunchSettings(['--enable-source-maps'], { NODE_OPTIONS: '--trace-warnings' }), [
      '--max-semi-space-size=1',
      'MALLOC_ARENA_MAX=2',
    ]);
  });

  it("takes another value as the operator's choice, not an omission", () => {
    assert.deepEqual(
      missingLaunchSettings([], { NODE_OPTIONS: '--max-semi-space-size=16', MALLOC_ARENA_MAX: '8' }),
      [],
    );
  });
});
