// What a person watching a backup sees, on the real stack: the `progress` query while pages are being
// copied (copies slowed down on purpose), and the search attributes the Temporal UI filters on.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { seedBlobs } from '../../dev/seed';
import type { RequestDecorator } from '../../src/storage/pipeline-policies';
import { backupContainer, progressQuery, type BackupProgress } from '../../src/workflows/backup-container';
import { BackupContainer, BackupKind, BackupSource, BackupStatus } from '../../src/workflows/search-attributes';
import { startTestWorker, uniqueName, type TestWorker } from '../support/stack';

/** Every Copy Blob From URL into a target whose path contains `marker` takes `ms` longer. */
function slowCopies(marker: string, ms: number): RequestDecorator {
  return async (request, next) => {
    if (request.headers.get('x-ms-copy-source') && new URL(request.url).pathname.includes(marker)) await sleep(ms);
    return next(request);
  };
}

describe('blob backup progress and search attributes', () => {
  let w: TestWorker;
  const container = uniqueName('watched');
  before(async () => {
    w = await startTestWorker({
      connectionOptions: { decorators: (c) => (c === 'backup' ? [slowCopies('/slow-', 200)] : []) },
    });
    await seedBlobs(w.connections.blob('source').service.getContainerClient(container), {
      count: 40,
      prefix: 'slow-',
    });
  });
  after(() => w.stop());

  it('answers progress mid-run, and records kind, source, container and status', async () => {
    const handle = await w.client.workflow.start(backupContainer, {
      taskQueue: w.taskQueue,
      workflowId: uniqueName('wf-watched'),
      // 4 pages of 10, one at a time, 2 copies at a time at 200 ms each: about 1 s a page.
      args: [
        {
          source: 'source',
          container,
          backup: 'backup',
          backupContainer: uniqueName('bk-watched'),
          pageSize: 10,
          maxConcurrentPages: 1,
          concurrency: 2,
        },
      ],
    });
    let mid: BackupProgress | undefined;
    for (const deadline = Date.now() + 20_000; Date.now() < deadline; await sleep(100)) {
      const p = await handle.query(progressQuery);
      if (p.phase === 'copying' && p.listed > 0 && p.pagesDone >= 1) {
        mid = p;
        break;
      }
    }
    assert.ok(mid, 'progress showed a run in the middle of copying');
    assert.equal(mid.phase, 'copying');
    assert.ok(mid.listed >= 10 && mid.listed < 40 + 1, `listed ${mid.listed}`);
    assert.ok(mid.pagesDone < 4, 'not all pages are done yet');
    assert.ok(mid.copied >= 10 && mid.copied < 40, `copied so far ${mid.copied}`);
    assert.ok(mid.runKey, 'the run key is known once the preflight is done');
    const startedAt = Date.parse(mid.startedAt);
    assert.ok(startedAt <= Date.now() && startedAt > Date.now() - 60_000, `startedAt ${mid.startedAt}`);
    assert.ok(mid.elapsedMs > 0, `elapsedMs ${mid.elapsedMs}`);
    const running = await handle.describe();
    assert.equal(running.typedSearchAttributes.get(BackupStatus), 'Running');

    const result = await handle.result();
    assert.deepEqual([result.copied, result.failed, result.verified], [40, 0, true]);
    const done = await handle.query(progressQuery);
    assert.ok(done.elapsedMs >= mid.elapsedMs);
    const described = await handle.describe();
    const attrs = described.typedSearchAttributes;
    assert.deepEqual(
      [attrs.get(BackupKind), attrs.get(BackupSource), attrs.get(BackupContainer), attrs.get(BackupStatus)],
      ['blob-container', `source/${container}`, container, 'Completed'],
    );
  });
});
