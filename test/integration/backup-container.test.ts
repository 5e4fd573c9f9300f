// backupContainer end to end on the real stack: Temporal dev server + Azurite (source -> backup).
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { seedBlobs, type SeededBlob } from '../../dev/seed';
import { backupObjectName } from '../../src/domain/backup-naming';
import { backupContainer, type BackupContainerInput } from '../../src/workflows/backup-container';
import { rootApplicationFailure } from '../support/failures';
import { startTestWorker, uniqueName, type TestWorker } from '../support/stack';

async function streamToBuffer(stream: NodeJS.ReadableStream | undefined): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream!) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('backupContainer on Temporal + Azurite', () => {
  let w: TestWorker;
  let container: string;
  let backupContainerName: string;
  let seeded: SeededBlob[];

  const run = (input: Partial<BackupContainerInput>) =>
    w.client.workflow.execute(backupContainer, {
      taskQueue: w.taskQueue,
      workflowId: uniqueName('wf-backup'),
      args: [{ source: 'source', container, backup: 'backup', backupContainer: backupContainerName, ...input }],
    });

  before(async () => {
    w = await startTestWorker();
    container = uniqueName('photos');
    backupContainerName = uniqueName('bk');
    const src = w.connections.blob('source').service.getContainerClient(container);
    seeded = await seedBlobs(src, { count: 250 });
  });
  after(() => w.stop());

  it('copies every blob to the backup account with equal bytes, content type and metadata', async () => {
    const result = await run({ pageSize: 100 }); // 3 pages
    assert.equal(result.listed, 250);
    assert.equal(result.copied, 250);
    assert.equal(result.failed, 0);
    assert.equal(result.pages, 3);
    assert.equal(
      result.bytesCopied,
      seeded.reduce((sum, b) => sum + b.size, 0),
    );
    assert.equal(result.sourceAccount, 'source');
    assert.equal(result.backupAccount, 'backup');

    const source = w.connections.blob('source').service.getContainerClient(container);
    const backup = w.connections.blob('backup').service.getContainerClient(backupContainerName);
    let copies = 0;
    for await (const _ of backup.listBlobsFlat()) copies++;
    assert.equal(copies, 250);
    for (const blob of seeded.filter((_, i) => i % 25 === 0)) {
      const src = source.getBlobClient(blob.name);
      const props = await src.getProperties();
      const copy = backup.getBlobClient(
        backupObjectName({ account: 'source', container, blobName: blob.name, version: props.etag! }),
      );
      const [a, b] = await Promise.all([src.download(), copy.download()]);
      assert.deepEqual(await streamToBuffer(b.readableStreamBody), await streamToBuffer(a.readableStreamBody));
      assert.equal(b.contentType, a.contentType);
      assert.deepEqual(b.metadata, a.metadata);
    }
  });

  it('a second run over unchanged blobs copies nothing and skips all', async () => {
    const result = await run({});
    assert.equal(result.listed, 250);
    assert.equal(result.copied, 0);
    assert.equal(result.skipped, 250);
  });

  it('continues as new between pages and still counts every blob once', async () => {
    const other = uniqueName('bk-can');
    const handle = await w.client.workflow.start(backupContainer, {
      taskQueue: w.taskQueue,
      workflowId: uniqueName('wf-can'),
      args: [
        { source: 'source', container, backup: 'backup', backupContainer: other, pageSize: 50, maxPagesPerRun: 2 },
      ],
    });
    const result = await handle.result();
    assert.equal(result.copied, 250);
    assert.equal(result.pages, 5);
    // The handle follows the chain: the first run's id now resolves to a later run.
    const description = await handle.describe();
    assert.notEqual(description.runId, handle.firstExecutionRunId);
  });
});

describe('backupContainer rejects bad input before any side effect', () => {
  let w: TestWorker;
  before(async () => {
    w = await startTestWorker();
  });
  after(() => w.stop());

  const expectFailure = async (input: Partial<BackupContainerInput>, type: string, mentions: RegExp) => {
    const backupContainerName = uniqueName('bk-bad');
    const err = await w.client.workflow
      .execute(backupContainer, {
        taskQueue: w.taskQueue,
        workflowId: uniqueName('wf-bad'),
        args: [
          { source: 'source', container: 'photos', backup: 'backup', backupContainer: backupContainerName, ...input },
        ],
      })
      .then(
        () => assert.fail('the workflow should have failed'),
        (e: unknown) => e,
      );
    assert.ok(err instanceof WorkflowFailedError, `expected WorkflowFailedError, got ${String(err)}`);
    const cause = rootApplicationFailure(err);
    assert.ok(cause instanceof ApplicationFailure, `expected an ApplicationFailure behind ${String(err.cause)}`);
    assert.equal(cause.type, type);
    assert.equal(cause.nonRetryable, true);
    assert.match(cause.message, mentions);
    const exists = await w.connections.blob('backup').service.getContainerClient(backupContainerName).exists();
    assert.equal(exists, false, 'no backup container may be created for bad input');
  };

  it('invalid container name', () =>
    expectFailure({ container: 'Bad_Name' }, 'InvalidInput', /container may contain only lowercase/));
  it('prefix longer than 1024 characters', () =>
    expectFailure({ prefix: 'p'.repeat(1025) }, 'InvalidInput', /prefix must be at most 1024 characters \(has 1025\)/));
  it('concurrency of zero', () =>
    expectFailure({ concurrency: 0 }, 'InvalidInput', /concurrency must be a whole number/));
  it('unknown source connection', () =>
    expectFailure(
      { source: 'nosuch' },
      'UnknownConnection',
      /source: unknown connection "nosuch"; .*defines: .*source/,
    ));
  it('connection of the wrong kind', () =>
    expectFailure({ backup: 'cosmos' }, 'UnknownConnection', /backup: connection "cosmos" is a cosmos connection/));
  it('source container that does not exist', () =>
    expectFailure({ container: uniqueName('missing') }, 'SourceNotFound', /does not exist in account source/));
});
