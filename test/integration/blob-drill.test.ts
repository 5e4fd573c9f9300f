// Restore drills on the real stack: a seeded sample restores and matches the catalog and the live
// source; one flipped byte in a backup object (its stored MD5 left intact, so only reading can tell)
// fails the drill, naming the blob; the scratch container is removed either way. A scratch container that
// is the backup container, the source or any existing container is refused before anything is written.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { ContainerClient } from '@azure/storage-blob';
import { WorkflowFailedError } from '@temporalio/client';
import { isTombstone, type CatalogEntry } from '../../src/domain/catalog-record';
import { readNdjson } from '../../src/catalog/ndjson-blob';
import { type BackupContainerResult } from '../../src/workflows/backup-container';
import { type RestoreDrillInput } from '../../src/workflows/restore-drill';
import { download, runRecords } from '../support/catalog';
import { rootApplicationFailure } from '../support/failures';
import { useBlobFixture } from '../support/blob-fixture';
import { stackConfig, uniqueName } from '../support/stack';

describe('restore drills', () => {
  // A second name for the backup account: the scratch checks compare accounts, not connection names.
  const fixture = useBlobFixture({ extraConnections: { 'backup-alias': stackConfig().connections.backup! } });
  const { bk, backupName } = fixture;
  const container = uniqueName('drill');
  let run: BackupContainerResult;
  const drill = (input: Partial<RestoreDrillInput> = {}) => fixture.drill(container, input);
  const scratchContainers = async () => {
    const out: string[] = [];
    for await (const c of fixture.w.connections.blob('backup').service.listContainers({ prefix: 'drill-' }))
      out.push(c.name);
    return out;
  };
  /** Every blob and snapshot of a container with its ETag: equal before and after means nothing was written. */
  const listing = async (c: ContainerClient) => {
    const out: string[] = [];
    for await (const b of c.listBlobsFlat({ includeSnapshots: true }))
      out.push(`${b.name}@${b.snapshot ?? ''} ${b.properties.etag}`);
    return out.sort();
  };
  const refused = async (input: Partial<RestoreDrillInput>, message: RegExp) => {
    const err = await drill({ sample: { count: 5 }, ...input }).catch((e: unknown) => e);
    assert.ok(err instanceof WorkflowFailedError, String(err));
    const failure = rootApplicationFailure(err)!;
    assert.equal(failure.nonRetryable, true, failure.message);
    assert.equal(failure.type, 'InvalidInput');
    assert.match(failure.message, message);
  };
  const reportNames = async (report: string) => {
    const names: string[] = [];
    for await (const line of readNdjson<{ name: string }>(bk().getBlobClient(report))) names.push(line.name);
    return names;
  };

  before(async () => {
    await fixture.seed(container, { count: 40 });
    run = await fixture.backup(container);
  });

  it('restores a seeded sample, matches the catalog and the live source, and cleans up', async () => {
    const before = await scratchContainers();
    const r = await drill({ sample: { count: 10, seed: 7 }, liveSource: 'source' });
    assert.deepEqual([r.runKey, r.sampled, r.restored, r.checked, r.comparedWithSource], [run.runKey, 10, 10, 10, 10]);
    assert.deepEqual(r.mismatches, []);
    assert.deepEqual(await scratchContainers(), before, 'scratch container removed');
    const again = await drill({ sample: { count: 10, seed: 7 } });
    assert.deepEqual(await reportNames(again.report), await reportNames(r.report), 'same seed, same sample');
  });

  it('catches one flipped byte in a backup object, names it and fails the workflow', async () => {
    const entries = (await runRecords(bk(), 'source', container, run.runKey)).filter((r) => !isTombstone(r));
    const victim = entries[17] as CatalogEntry;
    const object = bk().getBlockBlobClient(victim.copy);
    const props = await object.getProperties();
    const original = await download(object);
    const write = async (body: Buffer) => {
      await object.upload(body, body.length, { metadata: props.metadata });
      // Put the original MD5 back: with a flipped byte, stored properties lie and only the bytes tell.
      await object.setHTTPHeaders({ blobContentType: props.contentType, blobContentMD5: props.contentMD5 });
    };
    const flipped = Buffer.from(original);
    const middle = flipped.length >> 1;
    flipped[middle] = flipped[middle]! ^ 0x01;
    await write(flipped);
    assert.equal(Buffer.from((await object.getProperties()).contentMD5!).toString('base64'), victim.md5);

    try {
      const before = await scratchContainers();
      const err = await drill({ sample: { percent: 100 } }).catch((e: unknown) => e);
      assert.ok(err instanceof WorkflowFailedError, String(err));
      const failure = rootApplicationFailure(err)!;
      assert.equal(failure.type, 'DrillMismatch');
      assert.equal(failure.nonRetryable, true);
      assert.match(failure.message, new RegExp(`1 mismatch\\(es\\): ${victim.name.replace('.', '\\.')}: `));
      assert.deepEqual(await scratchContainers(), before, 'scratch container removed after a failed drill too');
    } finally {
      await write(original); // later tests drill this backup and expect it sound
    }
  });

  it('rejects a bad sample size before any work', async () => {
    const before = await scratchContainers();
    const err = await drill({ sample: { count: 0 } }).catch((e: unknown) => e);
    const failure = rootApplicationFailure(err)!;
    assert.equal(failure.nonRetryable, true);
    assert.match(failure.message, /sample\.count must be a whole number from 1 to 1000 \(got 0\)/);
    assert.deepEqual(await scratchContainers(), before, 'no scratch container created');
  });

  it('refuses the backup container as scratch, whatever the connection is called, and leaves it intact', async () => {
    const blobs = await listing(bk());
    for (const connection of ['backup', 'backup-alias'])
      await refused(
        { scratch: { connection, container: backupName } },
        new RegExp(`scratch\\.container: backup/${backupName} is the backup container`),
      );
    assert.deepEqual(await listing(bk()), blobs, 'the backup container: not a blob written, changed or deleted');
    // The drill still works from a backup it did not touch.
    assert.equal((await drill({ sample: { count: 3 } })).mismatches.length, 0);
  });

  it('refuses the source container as scratch and leaves it intact', async () => {
    const source = fixture.w.connections.blob('source').service.getContainerClient(container);
    const blobs = await listing(source);
    assert.equal(blobs.filter((b) => b.includes('@ ')).length, 40);
    await refused(
      { scratch: { connection: 'source', container }, liveSource: 'source' },
      new RegExp(`scratch\\.container: source/${container} is the source container`),
    );
    assert.deepEqual(await listing(source), blobs, 'the source: not a blob or snapshot written, changed or deleted');
  });

  it('refuses an existing container as scratch and leaves it and its blobs alone; a new name works', async () => {
    const existing = fixture.w.connections.blob('backup').service.getContainerClient(uniqueName('mine'));
    await existing.create({ metadata: { owner: 'someone' } });
    await existing.getBlockBlobClient('keep.txt').upload('precious', 8);
    const blobs = await listing(existing);
    await refused(
      { scratch: { connection: 'backup-alias', container: existing.containerName } },
      new RegExp(`scratch\\.container: backup/${existing.containerName} already exists`),
    );
    assert.deepEqual(await listing(existing), blobs);
    assert.equal((await download(existing.getBlobClient('keep.txt'))).toString(), 'precious');
    assert.deepEqual((await existing.getProperties()).metadata, { owner: 'someone' });

    const fresh = uniqueName('scratch');
    const r = await drill({ sample: { count: 3 }, scratch: { connection: 'backup', container: fresh } });
    assert.deepEqual([r.restored, r.mismatches.length], [3, 0]);
    const scratch = fixture.w.connections.blob('backup').service.getContainerClient(fresh);
    assert.equal(await scratch.exists(), false, 'the drill removed the container it created');
    assert.deepEqual(await listing(existing), blobs, 'and only that');
  });
});
