// More than one worker on one task queue, on the real stack: two worker processes share one backup (pages
// run on both, nothing is done twice, and the run completes when one is killed mid-run); and the
// per-account request cap, which is per worker, holds for the account when each worker gets its share.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { seedBlobs } from '../../dev/seed';
import type { ManagedProcess } from '../../dev/managed-process';
import { catalogScope } from '../../src/domain/catalog-layout';
import { CatalogStore } from '../../src/catalog/store';
import { backupContainer } from '../../src/workflows/backup-container';
import { requestTimes } from '../support/faults';
import { startTestWorker, uniqueName, type TestWorker } from '../support/stack';
import { until, workerProcess } from '../support/worker-process';

describe('more than one worker on a task queue', () => {
  let w: TestWorker; // a client and connections only: it polls a queue of its own
  before(async () => {
    w = await startTestWorker();
  });
  after(() => w.stop());
  const src = (c: string) => w.connections.blob('source').service.getContainerClient(c);
  const bk = (c: string) => w.connections.blob('backup').service.getContainerClient(c);

  /** The identities (pid@host) of the workers that ran activities of the backup's pages. */
  const pageWorkers = async (workflowId: string): Promise<Map<string, number>> => {
    const seen = new Map<string, number>();
    for await (const e of w.client.workflow.list({ query: `WorkflowId STARTS_WITH '${workflowId}/'` })) {
      const history = await w.client.workflow.getHandle(e.workflowId, e.runId).fetchHistory();
      for (const event of history.events ?? []) {
        const identity = event.activityTaskStartedEventAttributes?.identity;
        if (identity) seen.set(identity, (seen.get(identity) ?? 0) + 1);
      }
    }
    return seen;
  };

  it('two worker processes share one backup; killing one mid-run, the other completes it, nothing done twice', async () => {
    const taskQueue = uniqueName('tq-scale-out');
    const c = uniqueName('scale-out');
    const backupName = uniqueName('bk-scale-out');
    const count = 240;
    await seedBlobs(src(c), { count, sizeInBytes: 256 });
    const workers: ManagedProcess[] = [
      await workerProcess(taskQueue, 'worker A'),
      await workerProcess(taskQueue, 'worker B'),
    ];
    const id = uniqueName('wf-scale-out');
    try {
      const handle = await w.client.workflow.start(backupContainer, {
        taskQueue,
        workflowId: id,
        args: [
          {
            source: 'source',
            backup: 'backup',
            container: c,
            backupContainer: backupName,
            pageSize: 10,
            maxConcurrentPages: 4,
            concurrency: 2,
          },
        ],
      });
      // Both processes run pages before one of them dies.
      await until(async () => (await pageWorkers(id)).size >= 2, 180_000, 'pages on both workers');
      const [a] = workers;
      a!.kill('SIGKILL');
      await a!.waitForExit();
      const r = await handle.result();
      // Items the killed process copied but had not yet journaled are found already copied on the retry
      // (skipped), never copied again: at most the unjournaled items of its in-flight pages.
      assert.deepEqual([r.listed, r.copied + r.skipped, r.failed, r.verified], [count, count, 0, true]);
      assert.ok(r.skipped <= 4 * 10, `found already copied ${r.skipped} <= the pages in flight (4 of 10)`);
      const ran = await pageWorkers(id);
      assert.ok(ran.size >= 2, `activities ran on ${[...ran.keys()].join(', ')}`);
      assert.ok(
        [...ran.keys()].some((identity) => identity.startsWith(`${workers[1]!.pid}@`)),
        'the surviving process ran pages',
      );
      // Nothing twice: one catalog entry per blob, one copy per blob, one snapshot per blob.
      const entries = new Map<string, string>();
      for await (const e of new CatalogStore(bk(backupName), catalogScope('source', c)).records(r.runKey)) {
        assert.equal(entries.has(e.name), false, `one entry for ${e.name}`);
        entries.set(e.name, (e as { copy: string }).copy);
      }
      assert.equal(entries.size, count);
      let copies = 0;
      for await (const b of bk(backupName).listBlobsFlat({ prefix: `data/source/${c}/` })) copies += b ? 1 : 0;
      assert.equal(copies, count, 'one copy per blob');
      const snapshots = new Map<string, number>();
      for await (const b of src(c).listBlobsFlat({ includeSnapshots: true }))
        if (b.snapshot) snapshots.set(b.name, (snapshots.get(b.name) ?? 0) + 1);
      assert.equal(snapshots.size, count);
      assert.deepEqual(new Set(snapshots.values()), new Set([1]), 'one snapshot per blob');
    } finally {
      for (const p of workers) await p.stop();
    }
  });

  it('the request cap is per worker: two workers each capped at half a budget stay within the budget together', async () => {
    // Two workers, each with its own connections (as two processes have), polling one queue.
    const taskQueue = uniqueName('tq-cap');
    const times: [number[], number[]] = [[], []];
    const recording = (i: 0 | 1) => ({
      taskQueue,
      connectionOptions: { decorators: (n: string) => (n === 'source' ? [requestTimes(times[i])] : []) },
    });
    const one = await startTestWorker(recording(0));
    const two = await startTestWorker(recording(1));
    try {
      const c = uniqueName('cap');
      await seedBlobs(src(c), { count: 120, sizeInBytes: 128 });
      const budget = 20;
      const r = await one.client.workflow.execute(backupContainer, {
        taskQueue,
        workflowId: uniqueName('wf-cap'),
        args: [
          {
            source: 'source',
            backup: 'backup',
            container: c,
            backupContainer: uniqueName('bk-cap'),
            pageSize: 20,
            maxConcurrentPages: 4,
            maxRequestsPerSecond: budget / 2,
          },
        ],
      });
      assert.deepEqual([r.copied, r.failed], [120, 0]);
      // Both workers sent requests; in every one-second window each sent at most its cap plus its bucket's
      // burst (one second's worth), so together at most the budget plus both bursts.
      const [mine, theirs] = times;
      assert.ok(mine.length > 0 && theirs.length > 0, `requests per worker: ${mine.length}, ${theirs.length}`);
      assert.ok(mine.length + theirs.length >= 120, 'a snapshot per blob at least');
      const share = budget / 2;
      assert.ok(busiestSecond(mine) <= 2 * share, `worker one: ${busiestSecond(mine)} in a second`);
      assert.ok(busiestSecond(theirs) <= 2 * share, `worker two: ${busiestSecond(theirs)} in a second`);
      const both = busiestSecond([...mine, ...theirs]);
      assert.ok(both <= budget + 2 * share, `together at most ${budget} a second plus two bursts, saw ${both}`);
    } finally {
      await one.stop();
      await two.stop();
    }
  });
});

/** The most requests in any one-second window. */
function busiestSecond(times: number[]): number {
  const sorted = [...times].sort((x, y) => x - y);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= 1000) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}
