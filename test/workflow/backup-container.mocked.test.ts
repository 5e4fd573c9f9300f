// backupContainer's orchestration with mocked activities (in addition to the real-stack tests): page
// ranges chained through the listing, the sliding window of page children, continue-as-new carrying
// progress, one commit with the summed counts, and bad input failing before any activity.
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Activities, BackupPageInput, CommitRunInput, ListInventoryPageInput } from '../../src/activities';
import { emptyCounts } from '../../src/domain/backup-counts';
import { backupContainer } from '../../src/workflows/backup-container';
import { startMockWorker, type MockWorker } from '../support/mock-worker';
import { uniqueName } from '../support/stack';

// Four listing pages (one of them empty with more to come), names a..l.
const LISTING: Record<string, { count: number; lastName?: string; next?: string }> = {
  start: { count: 3, lastName: 'c', next: 't1' },
  t1: { count: 0, next: 't2' },
  t2: { count: 3, lastName: 'f', next: 't3' },
  t3: { count: 6, lastName: 'l' },
};

describe('backupContainer orchestration (mocked activities)', () => {
  const listings: ListInventoryPageInput[] = [];
  const pages: BackupPageInput[] = [];
  const commits: CommitRunInput[] = [];
  let prepares = 0;
  const prepareCaps: (number | undefined)[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let failOnce = true;
  const activities: Pick<Activities, 'prepareBackup' | 'listInventoryPage' | 'backupPage' | 'commitRun'> = {
    async prepareBackup(input) {
      prepares++;
      prepareCaps.push(input.maxRequestsPerSecond);
      return {
        sourceAccount: 'acct-src',
        backupAccount: 'acct-bk',
        scope: 'catalog/acct-src/photos/all',
        previousRunKey: 'prev-run',
      };
    },
    async listInventoryPage(input) {
      listings.push(input);
      if (input.container === 'huge') {
        // 200,000 blobs in 40 pages of 5,000.
        const n = Number(input.continuationToken ?? 0);
        return {
          count: 5000,
          lastName: `blob-${String(n).padStart(3, '0')}`,
          nextContinuationToken: n < 39 ? String(n + 1) : undefined,
        };
      }
      const page = LISTING[input.continuationToken ?? 'start']!;
      return { count: page.count, lastName: page.lastName, nextContinuationToken: page.next };
    },
    async backupPage(input) {
      if (input.container === 'huge') return { ...emptyCounts(), new: 5000, copied: 5000, snapshotted: 5000 };
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        await new Promise((r) => setTimeout(r, 150));
        if (input.pageIndex === 1 && failOnce) {
          failOnce = false;
          throw new Error('transient: connection reset');
        }
        pages.push(input);
        return { ...emptyCounts(), listed: 99, new: 2, unchanged: 1, copied: 2, bytesCopied: 200, snapshotted: 2 };
      } finally {
        inFlight--;
      }
    },
    async commitRun(input) {
      commits.push(input);
      return { manifest: `${input.scope}/manifests/${input.runKey}.json`, report: 'r', verified: true };
    },
  };
  let mock: MockWorker;
  let client: Client;
  let taskQueue: string;

  before(async () => {
    mock = await startMockWorker(activities);
    ({ client, taskQueue } = mock);
  });
  after(() => mock.stop());

  it('lists once, chains page ranges, keeps the window, continues as new and commits once', async () => {
    const handle = await client.workflow.start(backupContainer, {
      taskQueue,
      workflowId: uniqueName('wf'),
      args: [
        { source: 'src', container: 'photos', backup: 'bk', maxPagesPerRun: 2, maxConcurrentPages: 2, pageSize: 3 },
      ],
    });
    const result = await handle.result();
    assert.equal(prepares, 1, 'preflight runs once, not again after continue-as-new');
    assert.deepEqual(
      listings.map((l) => l.continuationToken),
      [undefined, 't1', 't2', 't3'],
    );
    assert.deepEqual(
      listings.map((l) => l.pageIndex),
      [0, 1, 1, 2],
      'the empty page takes no index',
    );
    const byIndex = [...pages].sort((a, b) => a.pageIndex - b.pageIndex);
    assert.deepEqual(
      byIndex.map((p) => p.range),
      [{ hi: 'c' }, { lo: 'c', hi: 'f' }, { lo: 'f' }],
    );
    assert.ok(byIndex.every((p) => p.previousRunKey === 'prev-run' && p.runKey === byIndex[0]!.runKey));
    assert.ok(maxInFlight <= 2, `at most 2 pages at once, saw ${maxInFlight}`);
    assert.equal(result.listed, 12, 'listed counts come from the listing, not the pages');
    assert.equal(result.copied, 6);
    assert.equal(result.bytesCopied, 600);
    assert.equal(result.pages, 3);
    assert.equal(commits.length, 1);
    assert.equal(commits[0]!.pages, 3);
    assert.equal(commits[0]!.counts.copied, 6);
    assert.equal(result.verified, true);
    const { runId } = await handle.describe();
    assert.notEqual(runId, handle.firstExecutionRunId, 'the run continued as new');
  });

  it('keeps every history far below 10,000 events for a 200,000-blob container', async () => {
    const workflowId = uniqueName('wf-huge');
    const result = await client.workflow.execute(backupContainer, {
      taskQueue,
      workflowId,
      args: [{ source: 'src', container: 'huge', backup: 'bk', maxRequestsPerSecond: 7 }],
    });
    assert.equal(result.copied, 200_000);
    // Every activity of the run uses the input's cap, the preflight and the commit included.
    assert.equal(prepareCaps.at(-1), 7);
    assert.ok(listings.filter((l) => l.container === 'huge').every((l) => l.maxRequestsPerSecond === 7));
    assert.equal(commits.at(-1)!.maxRequestsPerSecond, 7);
    assert.equal(result.pages, 40);
    const parent = await client.workflow.getHandle(workflowId).fetchHistory();
    const parentEvents = parent.events?.length ?? 0;
    const child = await client.workflow.getHandle(`${workflowId}/${result.runKey}/page-39`).fetchHistory();
    assert.ok(parentEvents < 1_000, `parent history ${parentEvents} events`);
    assert.ok((child.events?.length ?? 0) < 50, `page history ${child.events?.length} events`);
    assert.ok((parentEvents + 40 * (child.events?.length ?? 0)) / 200_000 < 0.05, 'events per blob');
  });

  it('rejects bad input before calling any activity', async () => {
    const before = listings.length + pages.length + prepares;
    const err = await client.workflow
      .execute(backupContainer, {
        taskQueue,
        workflowId: uniqueName('wf-bad'),
        args: [{ source: 'src', container: 'x', backup: 'bk', pageSize: 0, mode: 'mirror' as 'full' }],
      })
      .catch((e: unknown) => e);
    assert.ok(err instanceof WorkflowFailedError);
    assert.ok(err.cause instanceof ApplicationFailure);
    assert.equal(err.cause.type, 'InvalidInput');
    assert.match(
      err.cause.message,
      /container must be 3 to 63 characters long \(has 1\).*pageSize must be a whole number from 1 to 5000.*mode must be one of 'incremental', 'full'/,
    );
    assert.equal(listings.length + pages.length + prepares, before);
  });
});
