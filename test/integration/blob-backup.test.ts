// Blob container backup on the real stack (Temporal + Azurite): snapshots, incremental copies, verify
// (every copy compared byte for byte; sources without a stored MD5), catalog, tombstones, full mode,
// unverified records redone, and what a copy keeps of its source.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { seedBlobs, seedContent } from '../../dev/seed';
import { CatalogStore } from '../../src/catalog/store';
import { catalogScope } from '../../src/domain/catalog-layout';
import { isTombstone, type CatalogEntry, type CatalogRecord } from '../../src/domain/catalog-record';
import { mapWithConcurrency } from '../../src/lib/async-pool';
import {
  backupContainer,
  progressQuery,
  type BackupContainerInput,
  type BackupContainerResult,
} from '../../src/workflows/backup-container';
import { download, runRecords } from '../support/catalog';
import { startTestWorker, uniqueName, type TestWorker } from '../support/stack';

describe('blob container backup', () => {
  let w: TestWorker;
  const container = uniqueName('lake');
  const backupName = uniqueName('bk');
  const runs: BackupContainerResult[] = [];
  const ids: string[] = [];
  const run = async (input: Partial<BackupContainerInput> = {}) => {
    const result = await w.client.workflow.execute(backupContainer, {
      taskQueue: w.taskQueue,
      workflowId: (ids[runs.length] = uniqueName('wf-lake')),
      args: [{ source: 'source', container, backup: 'backup', backupContainer: backupName, pageSize: 40, ...input }],
    });
    runs.push(result);
    return result;
  };
  const src = () => w.connections.blob('source').service.getContainerClient(container);
  const bk = () => w.connections.blob('backup').service.getContainerClient(backupName);
  const entries = async (runKey: string) =>
    new Map((await runRecords(bk(), 'source', container, runKey)).map((r) => [r.name, r]));

  /** Every live record: verified, from a snapshot, with the source's MD5, and its copy holds `expected`. */
  const sameBytes = (catalog: Map<string, CatalogRecord>, expected: (name: string, size: number) => Buffer) =>
    mapWithConcurrency([...catalog.values()], 16, async (record) => {
      if (isTombstone(record)) return;
      const want = expected(record.name, record.size);
      assert.deepEqual([record.verified, !!record.snapshot], [true, true], record.name);
      assert.equal(record.md5, createHash('md5').update(want).digest('base64'), record.name);
      assert.deepEqual(await download(bk().getBlobClient(record.copy)), want, record.name);
    });
  const modified = ['item-000003.json', 'item-000050.json', 'item-000098.json'];

  before(async () => {
    w = await startTestWorker();
    await seedBlobs(src(), { count: 100 });
  });
  after(() => w.stop());

  it('first run snapshots, copies and verifies every blob, byte for byte', async () => {
    const r = await run();
    assert.deepEqual(
      [r.listed, r.new, r.snapshotted, r.copied, r.failed, r.pages, r.verified],
      [100, 100, 100, 100, 0, 3, true],
    );
    // The progress query answers after the end too, with the result's counts.
    const p = await w.client.workflow.getHandle(ids[0]!).query(progressQuery);
    assert.deepEqual(
      [p.phase, p.listingDone, p.pagesListed, p.pagesDone, p.listed, p.new, p.copied, p.bytesCopied, p.runKey],
      ['done', true, 3, 3, 100, 100, 100, r.bytesCopied, r.runKey],
    );
    const catalog = await entries(r.runKey);
    assert.equal(catalog.size, 100);
    await sameBytes(catalog, (name, size) => seedContent(name, size));
    for (const name of ['item-000000.json', 'item-000057.json', 'item-000099.json']) {
      const entry = catalog.get(name) as CatalogEntry;
      // The snapshot exists on the source and holds the same bytes.
      assert.deepEqual(
        await download(src().getBlobClient(name).withSnapshot(entry.snapshot!)),
        seedContent(name, entry.size),
      );
    }
  });

  it('a second run with no change copies nothing and reports all unchanged', async () => {
    const r = await run();
    assert.deepEqual(
      [r.listed, r.unchanged, r.new, r.modified, r.snapshotted, r.copied, r.pages],
      [100, 100, 0, 0, 0, 0, 3],
    );
    // Settled pages count what their chunks hold: the same 100 blobs the first run copied.
    assert.deepEqual([runs[0]!.bytesHeld, r.bytesHeld], [runs[0]!.bytesCopied, runs[0]!.bytesCopied]);
    assert.deepEqual([...(await entries(r.runKey)).values()], [...(await entries(runs[0]!.runKey)).values()]);
    // All three pages were settled by the listing itself: no page child workflow ran.
    const children = w.client.workflow.list({ query: `WorkflowId STARTS_WITH '${ids[1]}/'` });
    let count = 0;
    for await (const _ of children) count++;
    assert.equal(count, 0);
  });

  it('modify 3, add 2, delete 1: copies 5, records a tombstone, keeps the old versions restorable', async () => {
    for (const name of modified) await src().getBlockBlobClient(name).upload('v2', 2);
    for (const name of ['new-a.txt', 'zz-new-b.txt']) await src().getBlockBlobClient(name).upload(name, name.length);
    await src().getBlobClient('item-000010.json').delete({ deleteSnapshots: 'include' });

    const r = await run();
    assert.deepEqual([r.new, r.modified, r.deleted, r.unchanged, r.copied, r.failed], [2, 3, 1, 96, 5, 0]);
    let liveBytes = 0;
    for await (const b of src().listBlobsFlat()) liveBytes += b.properties.contentLength!;
    assert.equal(r.bytesHeld, liveBytes, 'the run holds exactly the live source bytes (the deleted blob excluded)');
    const before = await entries(runs[1]!.runKey);
    const now = await entries(r.runKey);
    const tomb = now.get('item-000010.json')!;
    assert.ok(isTombstone(tomb));
    assert.equal(tomb.last.etag, (before.get('item-000010.json') as CatalogEntry).etag);
    for (const name of modified) {
      const old = before.get(name) as CatalogEntry;
      const fresh = now.get(name) as CatalogEntry;
      assert.notEqual(fresh.copy, old.copy);
      assert.equal((await download(bk().getBlobClient(fresh.copy))).toString(), 'v2');
      assert.deepEqual(
        await download(bk().getBlobClient(old.copy)),
        seedContent(name, old.size),
        'old version still there',
      );
    }
    assert.deepEqual(await download(bk().getBlobClient(tomb.last.copy)), seedContent(tomb.name, tomb.last.size));
  });

  it('a later run carries the tombstone forward', async () => {
    const r = await run();
    assert.equal(r.deleted, 0);
    assert.ok(isTombstone((await entries(r.runKey)).get('item-000010.json')!));
  });

  it('full mode copies every live blob again', async () => {
    const r = await run({ mode: 'full' });
    assert.deepEqual([r.listed, r.modified, r.copied, r.failed, r.verified], [101, 101, 101, 0, true]);
    const catalog = await entries(r.runKey);
    assert.equal([...catalog.values()].filter((e) => !isTombstone(e)).length, 101);
    await sameBytes(catalog, (name, size) =>
      modified.includes(name)
        ? Buffer.from('v2')
        : name.startsWith('item-')
          ? seedContent(name, size)
          : Buffer.from(name),
    );
  });

  it('keeps content type, metadata, tags and access tier on the copy', async () => {
    const name = 'props/report.csv';
    const blob = src().getBlockBlobClient(name);
    await blob.upload('a,b\n1,2\n', 8, {
      blobHTTPHeaders: { blobContentType: 'text/csv' },
      metadata: { owner: 'finance' },
      tags: { project: 'alpha' },
      tier: 'Cool',
    });
    const copyOf = async (runKey: string) => {
      const records: CatalogEntry[] = [];
      for await (const rec of new CatalogStore(bk(), catalogScope('source', container, 'props/')).records(runKey))
        records.push(rec as CatalogEntry);
      assert.equal(records.length, 1);
      return bk().getBlobClient(records[0]!.copy);
    };
    const r = await run({ prefix: 'props/' });
    assert.equal(r.copied, 1);
    const copy = await copyOf(r.runKey);
    const props = await copy.getProperties();
    assert.equal(props.contentType, 'text/csv');
    assert.deepEqual(props.metadata, { owner: 'finance' });
    assert.equal(props.accessTier, 'Cool');
    assert.deepEqual((await copy.getTags()).tags, { project: 'alpha' });

    // An incremental run lists lean (no metadata, no tags) to settle unchanged pages; a changed page is
    // listed again in full, so its copy still carries the new version's metadata and tags.
    await blob.upload('a,b\n3,4\n', 8, {
      blobHTTPHeaders: { blobContentType: 'text/csv' },
      metadata: { owner: 'treasury' },
      tags: { project: 'beta' },
    });
    const again = await run({ prefix: 'props/' });
    assert.deepEqual([again.modified, again.copied], [1, 1]);
    const second = await copyOf(again.runKey);
    assert.notEqual(second.name, copy.name);
    assert.deepEqual((await second.getProperties()).metadata, { owner: 'treasury' });
    assert.deepEqual((await second.getTags()).tags, { project: 'beta' });
  });

  it('a verifying run verifies what an earlier verify: none run recorded unverified', async () => {
    const c = uniqueName('unverified');
    await seedBlobs(w.connections.blob('source').service.getContainerClient(c), { count: 6 });
    const args = { source: 'source', container: c, backup: 'backup', backupContainer: backupName, pageSize: 4 };
    const exec = (verify: 'none' | 'md5') =>
      w.client.workflow.execute(backupContainer, {
        taskQueue: w.taskQueue,
        workflowId: uniqueName('wf-unverified'),
        args: [{ ...args, verify, leaseMode: true }],
      });
    const records = async (runKey: string) => (await runRecords(bk(), 'source', c, runKey)) as CatalogEntry[];
    const none = await exec('none');
    assert.deepEqual([none.copied, none.verified], [6, false]);
    assert.ok((await records(none.runKey)).every((e) => !e.verified));
    // One blob is leased by another writer: its redo is skipped, so its record stays unverified.
    const lease = w.connections.blob('source').service.getContainerClient(c).getBlobClient('item-000002.json');
    const other = lease.getBlobLeaseClient();
    await other.acquireLease(-1);
    const blocked = await exec('md5');
    await other.releaseLease();
    assert.deepEqual([blocked.modified, blocked.failed, blocked.unverified, blocked.verified], [6, 0, 1, false]);
    const md5 = await exec('md5');
    // Unchanged at the source, but never verified: redone (the copy exists, so nothing is copied again).
    assert.deepEqual(
      [md5.unchanged, md5.modified, md5.copied, md5.failed, md5.unverified, md5.verified],
      [5, 1, 0, 0, 0, true],
    );
    const after = await records(md5.runKey);
    assert.equal(after.length, 6);
    assert.ok(
      after.every((e) => e.verified),
      'every record of the verified run is verified',
    );
    const again = await exec('md5');
    assert.deepEqual([again.unchanged, again.modified, again.verified], [6, 0, true]);
  });

  it('a source without a stored MD5 (multi-block upload) is hashed by reading, on both copy paths', async () => {
    const c = uniqueName('nomd5');
    const container = w.connections.blob('source').service.getContainerClient(c);
    await container.create();
    const blobs = { 'multi-big.bin': seedContent('multi-big.bin', 3000), 'multi-small.bin': seedContent('x', 700) };
    for (const [name, body] of Object.entries(blobs)) {
      const blob = container.getBlockBlobClient(name);
      const ids = [0, 1].map((i) => Buffer.from(`b${i}`).toString('base64'));
      const half = Math.ceil(body.length / 2);
      await blob.stageBlock(ids[0]!, body.subarray(0, half), half);
      await blob.stageBlock(ids[1]!, body.subarray(half), body.length - half);
      await blob.commitBlockList(ids); // no blobContentMD5: the service stores none
      assert.equal((await blob.getProperties()).contentMD5, undefined, `${name} has no MD5 at the source`);
    }
    // multi-big.bin takes the ranged path (above 1 KiB), multi-small.bin Copy Blob From URL.
    const r = await w.client.workflow.execute(backupContainer, {
      taskQueue: w.taskQueue,
      workflowId: uniqueName('wf-nomd5'),
      args: [
        {
          source: 'source',
          container: c,
          backup: 'backup',
          backupContainer: backupName,
          largeBlobThresholdBytes: 1024,
          blockBytes: 1024,
        },
      ],
    });
    assert.deepEqual([r.copied, r.failed, r.verified], [2, 0, true]);
    const records = (await runRecords(bk(), 'source', c, r.runKey)) as CatalogEntry[];
    assert.equal(records.length, 2);
    for (const entry of records) {
      const md5 = createHash('md5')
        .update(blobs[entry.name as keyof typeof blobs])
        .digest('base64');
      assert.deepEqual([entry.name, entry.verified, entry.md5], [entry.name, true, md5]);
      // The copy was hashed too, and carries the MD5 from then on.
      const props = await bk().getBlobClient(entry.copy).getProperties();
      assert.equal(Buffer.from(props.contentMD5!).toString('base64'), md5, entry.name);
    }
  });
});
