// Orchestration of restoreContainer, applyRetention and restoreDrill with mocked activities (in
// addition to the real-stack tests): which activities run, in which order, with what, and how often.
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Activities, RestorePageInput } from '../../src/activities';
import type { RunSummary } from '../../src/domain/run-manifest';
import { applyRetention } from '../../src/workflows/apply-retention';
import { restoreContainer } from '../../src/workflows/restore-container';
import { restoreDrill } from '../../src/workflows/restore-drill';
import { startMockWorker, type MockWorker } from '../support/mock-worker';
import { uniqueName } from '../support/stack';

type Mocked = Pick<
  Activities,
  | 'planRestore'
  | 'restorePage'
  | 'finishRestore'
  | 'pruneSourceSnapshots'
  | 'forgetRuns'
  | 'markGarbage'
  | 'sweepGarbage'
  | 'prepareDrillScratch'
  | 'sampleRun'
  | 'compareDrill'
  | 'deleteScratch'
>;

const RUN: RunSummary = {
  runKey: '20261101T000000000Z-aaaaaaaa',
  startedAt: '2026-11-01T00:00:00.000Z',
  finishedAt: '2026-11-01T00:10:00.000Z',
  mode: 'incremental',
  verified: true,
  counts: {} as RunSummary['counts'],
  bytesCopied: 0,
  bytesHeld: 0,
  pages: 8,
};

describe('restore, retention and drill orchestration (mocked activities)', () => {
  let calls: { name: string; input: unknown }[] = [];
  let pageRuns: RestorePageInput[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let failPageOnce: number | undefined;
  let mismatch = false;
  let sampleNames = ['a', 'b', 'c'];
  let scratchTaken = false;
  const record = (name: string, input: unknown) => calls.push({ name, input });
  const activities: Mocked = {
    async planRestore(input) {
      record('planRestore', input);
      return {
        run: RUN,
        pageRanges: [
          [0, 1],
          [3, 5],
        ],
        pages: 5,
      };
    },
    async restorePage(input) {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        await new Promise((r) => setTimeout(r, 100));
        if (input.pageIndex === failPageOnce) {
          failPageOnce = undefined;
          throw new Error('transient: connection reset');
        }
        pageRuns.push(input);
        return { matched: 10, restored: 9, skipped: 1, failed: 0, bytesRestored: 900 };
      } finally {
        inFlight--;
      }
    },
    async finishRestore(input) {
      record('finishRestore', input);
      return { report: 'r', summary: 's' };
    },
    async pruneSourceSnapshots(input) {
      record('pruneSourceSnapshots', input);
      return { deleted: 4, report: input.report };
    },
    async forgetRuns(input) {
      record('forgetRuns', input);
      return { plan: 'plan.json', kept: 3, removed: 2, removedRuns: ['r1', 'r2'] };
    },
    async markGarbage(input) {
      record('markGarbage', input);
      return { candidates: 'candidates', count: 7, bytes: 700, catalogFiles: 2, markedAt: '2026-11-25T00:00:00.000Z' };
    },
    async sweepGarbage(input) {
      record('sweepGarbage', input);
      return { deleted: 6, bytesDeleted: 600, catalogFilesDeleted: 2, kept: 1, report: 'deletions' };
    },
    async prepareDrillScratch(input) {
      record('prepareDrillScratch', input);
      if (scratchTaken)
        throw ApplicationFailure.nonRetryable('scratch.container: backup/x already exists', 'InvalidInput');
    },
    async sampleRun(input) {
      record('sampleRun', input);
      return { runKey: RUN.runKey, live: 100, names: sampleNames };
    },
    async compareDrill(input) {
      record('compareDrill', input);
      return {
        checked: input.names.length,
        comparedWithSource: 1,
        mismatches: mismatch ? [{ name: 'b', reason: 'MD5 differs from the catalog' }] : [],
      };
    },
    async deleteScratch(input) {
      record('deleteScratch', input);
      return { deleted: true };
    },
  };
  let mock: MockWorker;
  let client: Client;
  let taskQueue: string;
  const names = () => calls.map((c) => c.name);
  const input = <T>(name: string) => calls.find((c) => c.name === name)?.input as T;

  before(async () => {
    mock = await startMockWorker(activities);
    ({ client, taskQueue } = mock);
  });
  after(() => mock.stop());
  beforeEach(() => {
    calls = [];
    pageRuns = [];
    maxInFlight = 0;
  });

  const source = { account: 'acct', container: 'photos' };

  it('restore plans once, restores every planned page once in a window, continues as new, sums, finishes once', async () => {
    failPageOnce = 4;
    const handle = await client.workflow.start(restoreContainer, {
      taskQueue,
      workflowId: uniqueName('wf-restore'),
      args: [
        {
          backup: 'bk',
          source,
          asOf: '2026-11-02T00:00:00Z',
          target: { connection: 'src', container: 'photos' },
          maxConcurrentPages: 2,
          maxPagesPerRun: 2,
        },
      ],
    });
    const r = await handle.result();
    assert.deepEqual(names(), ['planRestore', 'finishRestore'], 'planned once across continue-as-new');
    assert.deepEqual(pageRuns.map((p) => p.pageIndex).sort(), [0, 1, 3, 4, 5]);
    assert.equal(new Set(pageRuns.map((p) => p.restoreKey)).size, 1, 'one restore key for every run');
    assert.ok(pageRuns.every((p) => p.runKey === RUN.runKey && p.overwrite === 'never' && p.verify === 'md5'));
    assert.ok(maxInFlight <= 2, `at most 2 pages at once, saw ${maxInFlight}`);
    assert.deepEqual([r.matched, r.restored, r.skipped, r.failed, r.bytesRestored, r.pages], [50, 45, 5, 0, 4500, 5]);
    const finish = input<{ summary: { restored: number; run: string } }>('finishRestore');
    assert.deepEqual([finish.summary.restored, finish.summary.run], [45, RUN.runKey]);
    const { runId } = await handle.describe();
    assert.notEqual(runId, handle.firstExecutionRunId, 'continued as new');
  });

  it('retention prunes source snapshots first, then forgets, marks, waits the grace period on a timer, sweeps', async () => {
    const workflowId = uniqueName('wf-retention');
    const r = await client.workflow.execute(applyRetention, {
      taskQueue,
      workflowId,
      args: [
        {
          backup: 'bk',
          source,
          policy: { keepDaily: 7 },
          sourceSnapshots: { source: 'src', keepNewest: 2 },
          gracePeriodMs: 5000,
        },
      ],
    });
    assert.deepEqual(names(), ['pruneSourceSnapshots', 'forgetRuns', 'markGarbage', 'sweepGarbage']);
    assert.equal(input<{ sourceConnection: string }>('pruneSourceSnapshots').sourceConnection, 'src');
    assert.equal(input<{ dryRunPlan?: string }>('markGarbage').dryRunPlan, undefined);
    assert.equal(input<{ markedAt: string }>('sweepGarbage').markedAt, '2026-11-25T00:00:00.000Z');
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    const timers = (history.events ?? []).filter((e) => e.timerStartedEventAttributes);
    assert.equal(timers.length, 1, 'one durable timer: the grace period');
    const fire = timers[0]!.timerStartedEventAttributes!.startToFireTimeout!;
    assert.deepEqual([Number(fire.seconds), fire.nanos], [5, 0], 'the grace period of 5 s');
    assert.deepEqual(
      [r.runsKept, r.runsRemoved, r.marked, r.deleted, r.keptAtSweep, r.deletedSourceSnapshots, r.dryRun],
      [3, 2, 7, 6, 1, 4, false],
    );
  });

  it('a retention dry run hands the plan to the mark and neither waits nor sweeps', async () => {
    const workflowId = uniqueName('wf-retention-dry');
    const r = await client.workflow.execute(applyRetention, {
      taskQueue,
      workflowId,
      args: [{ backup: 'bk', source, policy: { keepLast: 1 }, dryRun: true }],
    });
    assert.deepEqual(names(), ['forgetRuns', 'markGarbage']);
    assert.equal(input<{ dryRun: boolean }>('forgetRuns').dryRun, true);
    assert.equal(input<{ dryRunPlan?: string }>('markGarbage').dryRunPlan, 'plan.json');
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    assert.equal((history.events ?? []).filter((e) => e.timerStartedEventAttributes).length, 0);
    assert.deepEqual([r.dryRun, r.deleted, r.report], [true, 7, 'candidates']);
  });

  it('a drill restores exactly the sample into scratch, compares, cleans up; a mismatch fails it after cleanup', async () => {
    mismatch = false;
    const ok = await client.workflow.execute(restoreDrill, {
      taskQueue,
      workflowId: uniqueName('wf-drill'),
      args: [{ backup: 'bk', source, sample: { count: 3, seed: 42 }, liveSource: 'src' }],
    });
    assert.deepEqual(names(), [
      'prepareDrillScratch',
      'sampleRun',
      'planRestore',
      'finishRestore',
      'compareDrill',
      'deleteScratch',
    ]);
    const plan = input<{ run: string; filter: { blobs: string[] }; target: { container: string } }>('planRestore');
    assert.deepEqual([plan.run, plan.filter.blobs], [RUN.runKey, ['a', 'b', 'c']]);
    assert.match(plan.target.container, /^drill-/);
    const prepared = input<{ scratch: { container: string; drillKey: string } }>('prepareDrillScratch').scratch;
    const deleted = input<{ container: string; drillKey: string }>('deleteScratch');
    assert.deepEqual([prepared.container, deleted.container], [plan.target.container, plan.target.container]);
    assert.equal(deleted.drillKey, prepared.drillKey, 'deletes only what it tagged when it created it');
    assert.deepEqual([ok.seed, ok.sampled, ok.checked, ok.mismatches.length], [42, 3, 3, 0]);

    calls = [];
    mismatch = true;
    const err = await client.workflow
      .execute(restoreDrill, {
        taskQueue,
        workflowId: uniqueName('wf-drill-bad'),
        args: [{ backup: 'bk', source, sample: { count: 3, seed: 42 } }],
      })
      .catch((e: unknown) => e);
    assert.ok(err instanceof WorkflowFailedError && err.cause instanceof ApplicationFailure);
    assert.equal(err.cause.type, 'DrillMismatch');
    assert.match(err.cause.message, /found 1 mismatch\(es\): b: MD5 differs from the catalog/);
    assert.equal(names().at(-1), 'deleteScratch', 'the scratch container is removed before failing');
  });

  it('a drill of a run with no live items fails without restoring anything', async () => {
    sampleNames = [];
    try {
      const err = await client.workflow
        .execute(restoreDrill, {
          taskQueue,
          workflowId: uniqueName('wf-drill-empty'),
          args: [{ backup: 'bk', source }],
        })
        .catch((e: unknown) => e);
      assert.ok(err instanceof WorkflowFailedError && err.cause instanceof ApplicationFailure);
      assert.equal(err.cause.type, 'EmptyRun');
      assert.equal(err.cause.nonRetryable, true);
      assert.deepEqual(names(), ['prepareDrillScratch', 'sampleRun', 'deleteScratch']);
    } finally {
      sampleNames = ['a', 'b', 'c'];
    }
  });

  it('a drill whose scratch container is refused does nothing else, and deletes nothing', async () => {
    scratchTaken = true;
    try {
      const err = await client.workflow
        .execute(restoreDrill, {
          taskQueue,
          workflowId: uniqueName('wf-drill-taken'),
          args: [{ backup: 'bk', source, scratch: { connection: 'bk', container: 'taken' } }],
        })
        .catch((e: unknown) => e);
      assert.ok(err instanceof WorkflowFailedError);
      assert.deepEqual(names(), ['prepareDrillScratch'], 'no sample, no restore, no deleteScratch');
    } finally {
      scratchTaken = false;
    }
  });
});
