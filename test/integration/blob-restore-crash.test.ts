// A worker killed in the middle of a restore: a second worker finishes it from the page journals, every
// blob lands once with the backed-up bytes, nothing fails, and only the pages in flight are looked at again.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { seedContent } from '../../dev/seed';
import { restoreContainer, restoreProgressQuery } from '../../src/workflows/restore-container';
import { mapWithConcurrency } from '../../src/lib/async-pool';
import { uniqueName } from '../support/stack';
import { useBlobFixture } from '../support/blob-fixture';
import { finishAfterCrash } from '../support/worker-process';

const BLOBS = 400;
const PAGE = 100;
const WINDOW = 2;

describe('worker killed mid-restore', () => {
  const fixture = useBlobFixture();
  const { backupName } = fixture;
  const container = uniqueName('rcrash');
  before(async () => {
    await fixture.seed(container, { count: BLOBS });
    await fixture.backup(container, { pageSize: PAGE });
  });

  it('completes on another worker: every blob restored once, byte for byte, none failed', async () => {
    const taskQueue = uniqueName('tq-rcrash');
    const to = uniqueName('restored');
    const result = await finishAfterCrash(
      taskQueue,
      () =>
        fixture.w.client.workflow.start(restoreContainer, {
          taskQueue,
          workflowId: uniqueName('wf-rcrash'),
          args: [
            {
              backup: 'backup',
              backupContainer: backupName,
              source: { account: 'source', container },
              target: { connection: 'source', container: to },
              maxConcurrentPages: WINDOW,
              concurrency: 4,
              maxRequestsPerSecond: 40, // slow enough to kill it mid-run
            },
          ],
        }),
      async (handle) => {
        const p = await handle.query(restoreProgressQuery);
        // Pages in a window finish about together: kill once some are done and others still run.
        return p.pagesDone >= 1 && p.pagesDone < p.pages;
      },
    );
    assert.equal(result.failed, 0);
    // What worker A restored but had not journaled is found at the target, holding that very version.
    assert.equal(result.restored + result.skipped, BLOBS);
    assert.ok(result.skipped <= PAGE * WINDOW, `looked at again ${result.skipped} <= pages in flight`);
    assert.ok(result.restored >= BLOBS - PAGE * WINDOW);

    const target = fixture.w.connections.blob('source').service.getContainerClient(to);
    const sizes = new Map<string, number>();
    for await (const b of target.listBlobsFlat()) sizes.set(b.name, b.properties.contentLength!);
    assert.equal(sizes.size, BLOBS, 'every blob restored, none twice under another name');
    await mapWithConcurrency([...sizes], 16, async ([name, size]) => {
      assert.deepEqual(await target.getBlobClient(name).downloadToBuffer(), seedContent(name, size), name);
    });
  });
});
