// Determinism guard: histories recorded from the real stack (test/replay/record-histories.ts) replay
// against the current workflow bundle. A change that would break workflows already running (a command
// added, removed or reordered without `patched()`) fails here, not in production. histories/compat/ keeps
// histories recorded before a `patched()` change (the recorder leaves it alone): runs that were in flight
// when the change shipped must still replay.
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import * as workflows from '../../src/workflows';
import { quietRuntime, stackInfo } from '../support/stack';

const dir = join(__dirname, 'histories');
const compatDir = join(dir, 'compat');
const pbFiles = (d: string) => readdirSync(d).filter((f) => f.endsWith('.pb'));
const ids = (d: string) => JSON.parse(readFileSync(join(d, 'workflow-ids.json'), 'utf8')) as Record<string, string>;
const files = pbFiles(dir);
const all = [
  ...files.map((f) => ({ path: join(dir, f), workflowId: ids(dir)[f]! })),
  ...pbFiles(compatDir).map((f) => ({ path: join(compatDir, f), workflowId: ids(compatDir)[f]! })),
];

describe('replay of recorded histories', () => {
  it('covers every workflow the worker registers', () => {
    const recorded = new Set(files.map((f) => f.replace(/(-continued)?\.pb$/, '')));
    assert.deepEqual([...recorded].sort(), Object.keys(workflows).sort());
  });

  it('replays each of them against the current bundle without a nondeterminism error', async () => {
    quietRuntime();
    const histories = all.map(({ path, workflowId }) => ({
      workflowId,
      history: temporal.api.history.v1.History.decode(readFileSync(path)),
    }));
    const failures: string[] = [];
    let replayed = 0;
    for await (const result of Worker.runReplayHistories(
      { workflowBundle: { codePath: stackInfo().workflowBundlePath }, replayName: 'azbackup-replay' },
      histories,
    )) {
      replayed++;
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    assert.equal(replayed, all.length);
    assert.deepEqual(failures, []);
  });
});
