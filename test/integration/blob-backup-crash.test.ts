// A worker killed in the middle of a backup: a second worker finishes the run, the catalog equals an
// uninterrupted run's, and no more than the pages in flight are copied again.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { CatalogStore } from '../../src/catalog/store';
import { catalogScope } from '../../src/domain/catalog-layout';
import type { CatalogEntry } from '../../src/domain/catalog-record';
import { backupContainer, progressQuery, type BackupContainerInput } from '../../src/workflows/backup-container';
import { uniqueName } from '../support/stack';
import { useBlobFixture } from '../support/blob-fixture';
import { finishAfterCrash } from '../support/worker-process';

const BLOBS = 500;
const PAGE = 100;
const WINDOW = 2;

describe('worker killed mid-backup', () => {
  const fixture = useBlobFixture();
  const container = uniqueName('crash');
  before(() => fixture.seed(container, { count: BLOBS }));

  const catalog = async (backupName: string, runKey: string) => {
    const out = new Map<string, Omit<CatalogEntry, 'snapshot' | 'backedUpAt'>>();
    const bk = fixture.w.connections.blob('backup').service.getContainerClient(backupName);
    for await (const r of new CatalogStore(bk, catalogScope('source', container)).records(runKey)) {
      const { snapshot: _s, backedUpAt: _b, ...stable } = r as CatalogEntry;
      out.set(r.name, stable);
    }
    return out;
  };

  it('completes on another worker with the same catalog, recopying at most the pages in flight', async () => {
    const taskQueue = uniqueName('tq-crash');
    const crashed = uniqueName('bk-crashed');
    const input: BackupContainerInput = {
      source: 'source',
      container,
      backup: 'backup',
      backupContainer: crashed,
      pageSize: PAGE,
      maxConcurrentPages: WINDOW,
      concurrency: 4,
      maxRequestsPerSecond: 120, // slow enough to kill it mid-run
    };
    const result = await finishAfterCrash(
      taskQueue,
      () =>
        fixture.w.client.workflow.start(backupContainer, {
          taskQueue,
          workflowId: uniqueName('wf-crash'),
          args: [input],
        }),
      async (handle) => {
        const p = await handle.query(progressQuery);
        return p.pagesDone >= 1 && p.copied < BLOBS - PAGE;
      },
    );
    assert.equal(result.failed, 0);
    assert.equal(result.verified, true);
    assert.equal(result.listed, BLOBS);
    // Copies made by worker A but not yet journaled are found again as identical copies.
    assert.equal(result.copied + result.skipped, BLOBS);
    assert.ok(
      result.skipped <= PAGE * WINDOW,
      `recopy attempts ${result.skipped} <= pages in flight (${PAGE * WINDOW})`,
    );
    let copies = 0;
    const bk = fixture.w.connections.blob('backup').service.getContainerClient(crashed);
    for await (const _ of bk.listBlobsFlat({ prefix: `data/source/${container}/` })) copies++;
    assert.equal(copies, BLOBS, 'exactly one copy per blob');

    const clean = await fixture.w.client.workflow.execute(backupContainer, {
      taskQueue: fixture.w.taskQueue,
      workflowId: uniqueName('wf-clean'),
      args: [{ ...input, backupContainer: uniqueName('bk-clean'), maxRequestsPerSecond: undefined }],
    });
    assert.deepEqual(await catalog(crashed, result.runKey), await catalog(clean.backupContainer, clean.runKey));
    assert.deepEqual(
      [result.listed, result.new, result.unchanged, result.deleted, result.failed],
      [clean.listed, clean.new, clean.unchanged, clean.deleted, clean.failed],
    );
  });
});
