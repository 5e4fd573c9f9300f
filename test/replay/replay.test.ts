// Determinism guard: histories recorded from the real stack (test/replay/record-histories.ts) replay
// against the current workflow bundle. A change that would break workflows already running (a command
// added, removed or reordered without `patched()`) fails here, not in production.
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import * as workflows from '../../src/workflows';
import { quietRuntime, stackInfo } from '../support/stack';

const dir = join(__dirname, 'histories');
const files = readdirSync(dir).filter((f) => f.endsWith('.pb'));
const workflowIds = JSON.parse(readFileSync(join(dir, 'workflow-ids.json'), 'utf8')) as Record<string, string>;

describe('replay of recorded histories', () => {
  it('covers every workflow the worker registers', () => {
    const recorded = new Set(files.map((f) => f.replace(/(-continued)?\.pb$/, '')));
    assert.deepEqual([...recorded].sort(), Object.keys(workflows).sort());
  });

  it('replays each of them against the current bundle without a nondeterminism error', async () => {
    quietRuntime();
    const histories = files.map((f) => ({
      workflowId: workflowIds[f]!,
      history: temporal.api.history.v1.History.decode(readFileSync(join(dir, f))),
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
    assert.equal(replayed, files.length);
    assert.deepEqual(failures, []);
  });
});
