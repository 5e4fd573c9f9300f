// reconcileContainer and the request-rate cap, on the real stack.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { seedBlobs } from '../../dev/seed';
import { CatalogStore } from '../../src/catalog/store';
import { catalogScope } from '../../src/domain/catalog-layout';
import type { CatalogEntry } from '../../src/domain/catalog-record';
import { backupContainer } from '../../src/workflows/backup-container';
import { reconcileContainer } from '../../src/workflows/reconcile-container';
import { requestTimes } from '../support/faults';
import { startTestWorker, uniqueName, type TestWorker } from '../support/stack';

describe('reconcileContainer', () => {
  let w: TestWorker;
  const sourceRequests: number[] = [];
  before(async () => {
    w = await startTestWorker({
      connectionOptions: { decorators: (c) => (c === 'source' ? [requestTimes(sourceRequests)] : []) },
    });
  });
  after(() => w.stop());
  const backupName = uniqueName('bk-rec');
  const bk = () => w.connections.blob('backup').service.getContainerClient(backupName);
  const entries = async (container: string, runKey: string) => {
    const out: CatalogEntry[] = [];
    for await (const r of new CatalogStore(bk(), catalogScope('source', container)).records(runKey))
      out.push(r as CatalogEntry);
    return out;
  };

  it('snapshots what an earlier run copied without one, and recopies a copy that went missing', async () => {
    const container = uniqueName('rec');
    await seedBlobs(w.connections.blob('source').service.getContainerClient(container), { count: 12 });
    const args = { source: 'source', container, backup: 'backup', backupContainer: backupName };
    const first = await w.client.workflow.execute(backupContainer, {
      taskQueue: w.taskQueue,
      workflowId: uniqueName('wf-rec'),
      args: [{ ...args, snapshot: false }],
    });
    assert.equal(first.copied, 12);
    const lost = (await entries(container, first.runKey)).find((e) => e.name === 'item-000004.json')!;
    await bk().getBlobClient(lost.copy).delete();

    const r = await w.client.workflow.execute(reconcileContainer, {
      taskQueue: w.taskQueue,
      workflowId: uniqueName('wf-reconcile'),
      args: [args],
    });
    assert.deepEqual([r.modified, r.snapshotted, r.copied, r.skipped, r.failed, r.verified], [12, 12, 1, 11, 0, true]);
    const after = await entries(container, r.runKey);
    assert.ok(
      after.every((e) => e.snapshot && e.verified),
      'every entry now has a snapshot and a verified copy',
    );
    assert.ok(await bk().getBlobClient(lost.copy).exists(), 'the missing copy is back');
    // A second reconcile finds nothing to do.
    const again = await w.client.workflow.execute(reconcileContainer, {
      taskQueue: w.taskQueue,
      workflowId: uniqueName('wf-reconcile'),
      args: [args],
    });
    assert.deepEqual([again.unchanged, again.copied, again.snapshotted], [12, 0, 0]);
  });

  it('keeps requests to an account under maxRequestsPerSecond across all concurrent pages', async () => {
    const container = uniqueName('capped');
    await seedBlobs(w.connections.blob('source').service.getContainerClient(container), { count: 60 });
    sourceRequests.length = 0;
    const cap = 25;
    const r = await w.client.workflow.execute(backupContainer, {
      taskQueue: w.taskQueue,
      workflowId: uniqueName('wf-capped'),
      args: [
        {
          source: 'source',
          container,
          backup: 'backup',
          backupContainer: backupName,
          pageSize: 15,
          maxConcurrentPages: 4,
          concurrency: 8,
          maxRequestsPerSecond: cap,
        },
      ],
    });
    assert.equal(r.copied, 60);
    // 60 snapshots + listing: at least 60 source requests, paced by one shared bucket (burst = cap).
    assert.ok(sourceRequests.length >= 60);
    const t = [...sourceRequests].sort((a, b) => a - b);
    let worst = 0;
    for (let i = 0, j = 0; i < t.length; i++) {
      while (t[i]! - t[j]! >= 1000) j++;
      worst = Math.max(worst, i - j + 1);
    }
    assert.ok(worst <= 2 * cap, `at most burst + one second of tokens in any second: saw ${worst}`);
    const spanSeconds = (t.at(-1)! - t[0]!) / 1000;
    assert.ok(
      t.length - cap <= cap * spanSeconds * 1.05 + 1,
      `average rate after the burst stays at the cap: ${t.length} requests in ${spanSeconds.toFixed(2)} s`,
    );
  });
});
