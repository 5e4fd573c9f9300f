// backupContainer's bad input on the real stack: each rejected with a non-retryable error naming the
// field, before any snapshot or write.
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { backupContainer, type BackupContainerInput } from '../../src/workflows/backup-container';
import { rootApplicationFailure } from '../support/failures';
import { startTestWorker, uniqueName, type TestWorker } from '../support/stack';

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
  it('backup target equal to the source container', async () => {
    const container = uniqueName('same');
    await w.connections.blob('source').service.getContainerClient(container).create();
    const err = await w.client.workflow
      .execute(backupContainer, {
        taskQueue: w.taskQueue,
        workflowId: uniqueName('wf-same'),
        args: [{ source: 'source', container, backup: 'source', backupContainer: container }],
      })
      .catch((e: unknown) => e);
    const cause = rootApplicationFailure(err);
    assert.equal(cause?.type, 'InvalidInput');
    assert.match(cause!.message, /backupContainer: the backup target source\/same-.* is the source container itself/);
    let blobs = 0;
    for await (const _ of w.connections.blob('source').service.getContainerClient(container).listBlobsFlat()) blobs++;
    assert.equal(blobs, 0, 'nothing was written into the source');
  });
  it('unknown verify mode', () =>
    expectFailure({ verify: 'paranoid' as 'deep' }, 'InvalidInput', /verify must be one of 'md5', 'deep', 'none'/));
  it('source container that does not exist', () =>
    expectFailure({ container: uniqueName('missing') }, 'SourceNotFound', /does not exist in account source/));
});
