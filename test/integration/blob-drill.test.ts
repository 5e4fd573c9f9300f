// Restore drills on the real stack: a seeded sample restores and matches the catalog and the live
// source; one flipped byte in a backup object (its stored MD5 left intact, so only reading can tell)
// fails the drill, naming the blob; the scratch container is removed either way.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { seedBlobs } from '../../dev/seed';
import { isTombstone, type CatalogEntry } from '../../src/domain/catalog-record';
import { readNdjson } from '../../src/storage/ndjson-blob';
import { backupContainer, type BackupContainerResult } from '../../src/workflows/backup-container';
import { restoreDrill, type RestoreDrillInput } from '../../src/workflows/restore-drill';
import { download, runRecords } from '../support/catalog';
import { rootApplicationFailure } from '../support/failures';
import { startTestWorker, uniqueName, type TestWorker } from '../support/stack';

describe('restore drills', () => {
  let w: TestWorker;
  const container = uniqueName('drill');
  const backupName = uniqueName('bk');
  let run: BackupContainerResult;
  const bk = () => w.connections.blob('backup').service.getContainerClient(backupName);
  const drill = (input: Partial<RestoreDrillInput> = {}) =>
    w.client.workflow.execute(restoreDrill, {
      taskQueue: w.taskQueue,
      workflowId: uniqueName('wf-drill'),
      args: [{ backup: 'backup', backupContainer: backupName, source: { account: 'source', container }, ...input }],
    });
  const scratchContainers = async () => {
    const out: string[] = [];
    for await (const c of w.connections.blob('backup').service.listContainers({ prefix: 'drill-' })) out.push(c.name);
    return out;
  };
  const reportNames = async (report: string) => {
    const names: string[] = [];
    for await (const line of readNdjson<{ name: string }>(bk().getBlobClient(report))) names.push(line.name);
    return names;
  };

  before(async () => {
    w = await startTestWorker();
    await seedBlobs(w.connections.blob('source').service.getContainerClient(container), { count: 40 });
    run = await w.client.workflow.execute(backupContainer, {
      taskQueue: w.taskQueue,
      workflowId: uniqueName('wf-drill-backup'),
      args: [{ source: 'source', container, backup: 'backup', backupContainer: backupName }],
    });
  });
  after(() => w.stop());

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
    const body = await download(object);
    const middle = body.length >> 1;
    body[middle] = body[middle]! ^ 0x01;
    await object.upload(body, body.length, { metadata: props.metadata });
    // Put the original MD5 back: stored properties now lie, only the bytes tell.
    await object.setHTTPHeaders({ blobContentType: props.contentType, blobContentMD5: props.contentMD5 });
    assert.equal(Buffer.from((await object.getProperties()).contentMD5!).toString('base64'), victim.md5);

    const before = await scratchContainers();
    const err = await drill({ sample: { percent: 100 } }).catch((e: unknown) => e);
    assert.ok(err instanceof WorkflowFailedError, String(err));
    const failure = rootApplicationFailure(err)!;
    assert.equal(failure.type, 'DrillMismatch');
    assert.equal(failure.nonRetryable, true);
    assert.match(failure.message, new RegExp(`1 mismatch\\(es\\): ${victim.name.replace('.', '\\.')}: `));
    assert.deepEqual(await scratchContainers(), before, 'scratch container removed after a failed drill too');
  });

  it('rejects a bad sample size before any work', async () => {
    const err = await drill({ sample: { count: 0 } }).catch((e: unknown) => e);
    assert.match(rootApplicationFailure(err)!.message, /sample\.count must be a whole number from 1 to 1000 \(got 0\)/);
  });
});
