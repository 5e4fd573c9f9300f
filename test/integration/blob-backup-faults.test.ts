// Blob backup when things go wrong, on the real stack: another writer's lease, copies damaged after
// they were written (also one range of a ranged copy), the ranged large-blob path, and its fallback when
// the service answers 501.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { seedBlobs, seedContent } from '../../dev/seed';
import { catalogScope } from '../../src/domain/catalog-layout';
import type { CatalogEntry } from '../../src/domain/catalog-record';
import { CatalogStore } from '../../src/catalog/store';
import { ConnectionRegistry } from '../../src/storage/connections';
import { backupContainer, type BackupContainerInput } from '../../src/workflows/backup-container';
import { download, reportLines } from '../support/catalog';
import {
  copyInto,
  copySourceMd5s,
  failFirstAttempts,
  snapshotOf,
  type InjectedAnswer,
  corruptCopies,
  corruptFirstRange,
  dropFirstCopy,
  putBlockFromUrlNotImplemented,
} from '../support/faults';
import { stackConfig, startTestWorker, uniqueName, type TestWorker } from '../support/stack';

describe('blob backup faults', () => {
  let w: TestWorker;
  const backupName = uniqueName('bk-faults');
  const blockCalls = { count: 0 };
  const dropped = { count: 0 };
  const sourceMd5Headers = new Map<string, string | undefined>();
  const injected: InjectedAnswer[] = [];
  const overLimit = { status: 503, code: 'ServerBusy', message: 'Operations per second is over the account limit.' };
  const busy = { status: 503, code: 'ServerBusy', message: 'The server is busy.' };
  const internal = { status: 500, code: 'InternalError', message: 'The server encountered an internal error.' };
  const clean = new ConnectionRegistry(stackConfig().connections);
  const writer = (name: string) => clean.blob('backup').service.getContainerClient(backupName).getBlockBlobClient(name);
  let fail501 = false;

  before(async () => {
    w = await startTestWorker({
      connectionOptions: {
        decorators: (connection) =>
          connection === 'backup'
            ? [
                corruptCopies('flipme', 'flip-byte', writer),
                corruptCopies('cutme', 'truncate', writer),
                corruptFirstRange('rangeflip', writer),
                copySourceMd5s(sourceMd5Headers),
                failFirstAttempts(copyInto('/busy-'), [overLimit, internal], injected),
                dropFirstCopy('retryme', dropped),
                (request, next) => (fail501 ? putBlockFromUrlNotImplemented(blockCalls)(request, next) : next(request)),
              ]
            : [failFirstAttempts(snapshotOf('/busy-'), [busy], injected)],
      },
    });
  });
  after(() => w.stop());

  const container = async () => {
    const name = uniqueName('faults');
    await src(name).create();
    return name;
  };
  const run = (input: Partial<BackupContainerInput> & { container: string }) =>
    w.client.workflow.execute(backupContainer, {
      taskQueue: w.taskQueue,
      workflowId: uniqueName('wf-faults'),
      args: [{ source: 'source', backup: 'backup', backupContainer: backupName, ...input }],
    });
  const src = (name: string) => w.connections.blob('source').service.getContainerClient(name);
  const bk = () => w.connections.blob('backup').service.getContainerClient(backupName);
  const entriesOf = async (c: string, runKey: string) => {
    const out = new Map<string, CatalogEntry>();
    for await (const r of new CatalogStore(bk(), catalogScope('source', c)).records(runKey))
      out.set(r.name, r as CatalogEntry);
    return out;
  };

  it('skips a blob leased by another writer, reports why, and backs it up once the lease is gone', async () => {
    const c = await container();
    await seedBlobs(src(c), { count: 5 });
    const lease = src(c).getBlobClient('item-000002.json').getBlobLeaseClient();
    await lease.acquireLease(-1);
    const first = await run({ container: c, leaseMode: true });
    assert.deepEqual([first.copied, first.skipped, first.failed], [4, 1, 0]);
    const leasedSize = (await src(c).getBlobClient('item-000002.json').getProperties()).contentLength;
    assert.deepEqual([first.bytesSkipped, first.bytesFailed], [leasedSize, 0], 'the skipped blob counted by its size');
    const report = await reportLines(bk(), first.report);
    assert.deepEqual(
      report.map((l) => [l.name, l.outcome]),
      [['item-000002.json', 'skipped']],
    );
    assert.match(report[0]!.reason, /leased by another writer/);
    assert.equal((await src(c).getBlobClient('item-000002.json').getProperties()).leaseState, 'leased', 'never broken');
    // Our own leases were all released.
    assert.equal((await src(c).getBlobClient('item-000003.json').getProperties()).leaseState, 'available');
    await lease.releaseLease();
    const second = await run({ container: c, leaseMode: true });
    assert.deepEqual([second.new, second.copied, second.unchanged], [1, 1, 4]);
  });

  it('a page retried after an item was snapshotted reuses that snapshot: no snapshot left that no catalog records', async () => {
    const c = await container();
    await seedBlobs(src(c), { count: 3, prefix: 'retryme-' });
    const r = await run({ container: c });
    assert.equal(dropped.count >= 2, true, 'the first copy was dropped and the retried page copied again');
    assert.deepEqual([r.copied, r.failed, r.verified], [3, 0, true]);
    const entries = await entriesOf(c, r.runKey);
    const snapshots = new Map<string, string[]>();
    for await (const b of src(c).listBlobsFlat({ includeSnapshots: true })) {
      if (b.snapshot) snapshots.set(b.name, [...(snapshots.get(b.name) ?? []), b.snapshot]);
    }
    for (const [name, entry] of entries) assert.deepEqual(snapshots.get(name), [entry.snapshot], name);
  });

  it('deep verify catches a flipped byte in a copy: the item fails, no catalog claims the copy, the run is not verified', async () => {
    const c = await container();
    await seedBlobs(src(c), { count: 3 });
    await src(c).getBlockBlobClient('flipme.bin').upload(seedContent('flipme.bin', 2000), 2000);
    const r = await run({ container: c, verify: 'deep' });
    assert.deepEqual([r.copied, r.failed, r.verified], [3, 1, false]);
    assert.deepEqual([r.verifyFailed, r.bytesFailed], [1, 2000], 'counted as a verification failure, by its size');
    const [line] = await reportLines(bk(), r.report);
    assert.equal(line?.name, 'flipme.bin');
    assert.match(line!.reason, /verification failed: MD5 mismatch.*\(read back\)/);
    assert.equal((await entriesOf(c, r.runKey)).has('flipme.bin'), false, 'no catalog entry claims the bad copy');
    // Never deleted (nothing here deletes a copy: another run may hold one under that name); no run
    // references it, so garbage collection takes it.
    let copies = 0;
    for await (const b of bk().listBlobsFlat({ prefix: `data/source/${c}/flipme.bin/` })) copies += b ? 1 : 0;
    assert.equal(copies, 1);
  });

  // A synchronous copy is verified by its own answer (the service checked the source MD5 it was sent); a
  // copy damaged after that answer is caught by deep mode. An asynchronous copy has no such answer: md5
  // mode reads the copy's properties, and a truncated copy fails there.
  it('md5 verify catches a truncated asynchronous copy', async () => {
    const c = await container();
    await src(c).getBlockBlobClient('cutme.bin').upload(seedContent('cutme.bin', 1500), 1500);
    fail501 = true;
    try {
      const r = await run({ container: c, largeBlobThresholdBytes: 1024, blockBytes: 1024 });
      assert.deepEqual([r.copied, r.failed, r.verifyFailed, r.verified], [0, 1, 1, false]);
      assert.match((await reportLines(bk(), r.report))[0]!.reason, /size mismatch: copy has 1499 bytes, source 1500/);
    } finally {
      fail501 = false;
    }
  });

  it('md5 verify hashes a ranged copy: a range whose bytes differ from the source fails the item', async () => {
    const c = await container();
    const good = seedContent('ranged-ok.bin', 3000);
    const md5 = createHash('md5').update(good).digest('base64');
    await src(c)
      .getBlockBlobClient('ranged-ok.bin')
      .upload(good, good.length, { blobHTTPHeaders: { blobContentType: 'text/x-ok' }, metadata: { k: 'v' } });
    await src(c).getBlockBlobClient('rangeflip.bin').upload(seedContent('rangeflip.bin', 3000), 3000);
    const r = await run({ container: c, largeBlobThresholdBytes: 1024, blockBytes: 1024 });
    assert.deepEqual([r.copied, r.failed, r.verified], [1, 1, false]);
    const [line, ...more] = await reportLines(bk(), r.report);
    assert.equal(more.length, 0);
    assert.equal(line?.name, 'rangeflip.bin');
    assert.match(line!.reason, /verification failed: MD5 mismatch.*\(copy read and hashed\)/);
    const entries = await entriesOf(c, r.runKey);
    assert.equal(entries.has('rangeflip.bin'), false, 'no catalog entry claims the bad copy');
    // The bad copy is left (never deleted), named by no run: garbage collection takes it.
    const left: string[] = [];
    for await (const b of bk().listBlobsFlat({ prefix: `data/source/${c}/rangeflip.bin/` })) left.push(b.name);
    assert.equal(left.length, 1);
    // The good copy got its Content-MD5 only after its bytes were hashed; its other headers are kept.
    const props = await bk().getBlobClient(entries.get('ranged-ok.bin')!.copy).getProperties();
    assert.equal(Buffer.from(props.contentMD5!).toString('base64'), md5);
    assert.deepEqual([props.contentType, props.metadata], ['text/x-ok', { k: 'v' }]);
    assert.equal(entries.get('ranged-ok.bin')!.md5, md5);
  });

  it('Copy Blob From URL carries the source MD5, so the service checks what it read', async () => {
    const c = await container();
    const [seeded] = await seedBlobs(src(c), { count: 1 });
    const r = await run({ container: c });
    assert.deepEqual([r.copied, r.verified], [1, true]);
    const copy = (await entriesOf(c, r.runKey)).get(seeded!.name)!.copy;
    const header = sourceMd5Headers.get(`/backup/${backupName}/${copy}`);
    assert.equal(header, seeded!.md5);
  });

  it('503 (busy, over the account limit) and 500 answers are retried: every blob copied and verified', async () => {
    const c = await container();
    const seeded = await seedBlobs(src(c), { count: 4, prefix: 'busy-' });
    injected.length = 0;
    const r = await run({ container: c });
    // Per blob: its snapshot answered 503 once; its copy 503 (over the limit), then 500, then done.
    assert.deepEqual(injected.map((a) => a.status).sort(), [
      ...Array<number>(4).fill(500),
      ...Array<number>(8).fill(503),
    ]);
    assert.deepEqual([r.listed, r.snapshotted, r.copied, r.failed, r.skipped, r.verified], [4, 4, 4, 0, 0, true]);
    const entries = await entriesOf(c, r.runKey);
    for (const b of seeded) {
      const entry = entries.get(b.name)!;
      assert.deepEqual([entry.verified, entry.md5], [true, b.md5]);
      assert.deepEqual(await download(bk().getBlobClient(entry.copy)), seedContent(b.name, b.size));
    }
  });

  it('copies blobs above the threshold with Put Block From URL ranges', async () => {
    const c = await container();
    const big = seedContent('big.bin', 5000);
    await src(c)
      .getBlockBlobClient('big.bin')
      .upload(big, big.length, { blobHTTPHeaders: { blobContentType: 'application/x-big' } });
    const r = await run({ container: c, largeBlobThresholdBytes: 1024, blockBytes: 1024 });
    assert.deepEqual([r.copied, r.failed, r.verified], [1, 0, true]);
    const entry = (await entriesOf(c, r.runKey)).get('big.bin')!;
    const copy = bk().getBlockBlobClient(entry.copy);
    assert.deepEqual(await download(copy), big);
    const blocks = await copy.getBlockList('committed');
    assert.equal(blocks.committedBlocks?.length, 5, 'five 1 KiB ranges');
    assert.equal((await copy.getProperties()).contentType, 'application/x-big');
  });

  it('falls back to an asynchronous copy when Put Block From URL answers 501', async () => {
    const c = await container();
    const big = seedContent('big2.bin', 3000);
    await src(c).getBlockBlobClient('big2.bin').upload(big, big.length);
    fail501 = true;
    try {
      const r = await run({ container: c, largeBlobThresholdBytes: 1024, blockBytes: 1024 });
      const why = r.failed ? JSON.stringify(await reportLines(bk(), r.report)) : '';
      assert.deepEqual([r.copied, r.failed, r.verified], [1, 0, true], why);
      assert.ok(blockCalls.count > 0, 'the ranged path was tried first');
      const entry = (await entriesOf(c, r.runKey)).get('big2.bin')!;
      assert.deepEqual(await download(bk().getBlobClient(entry.copy)), big);
    } finally {
      fail501 = false;
    }
  });
});
