// Producer triggers on the real stack: requests that arrive while a backup runs are merged into exactly
// one follow-up run that covers them (through the API and `azbackup notify`), and Event Grid messages on
// an Azurite queue become runs, with unusable and over-delivered messages moved to <queue>-poison.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { triggerWorkflowId } from '../../src/domain/backup-request';
import { requestBackup } from '../../src/triggers/request-backup';
import { poisonQueueName } from '../../src/triggers/queue-consumer';
import { backupTrigger, triggerStateQuery, type BackupTriggerState } from '../../src/workflows/backup-trigger';
import { runRecords } from '../support/catalog';
import { cli } from '../support/cli';
import { holdJournalAppends } from '../support/faults';
import { ConnectionRegistry } from '../../src/storage/connections';
import { stackConfig, startTestWorker, uniqueName, type TestWorker } from '../support/stack';
import { until } from '../support/worker-process';

const heldBackup = uniqueName('bk-held');
const hold = holdJournalAppends(heldBackup);

describe('producer triggers', () => {
  let w: TestWorker;
  before(async () => {
    w = await startTestWorker({
      connectionOptions: { decorators: (name) => (name === 'backup' ? [hold.decorator] : []) },
    });
  });
  after(() => w?.stop());

  it('merges three requests made during a running backup into exactly one follow-up run that covers them', async () => {
    const container = uniqueName('trig');
    const src = w.connections.blob('source').service.getContainerClient(container);
    await src.create();
    for (const name of ['a.txt', 'b.txt']) await src.uploadBlockBlob(name, name, name.length);
    const trigger = { source: 'source', container, backup: 'backup', backupContainer: heldBackup, lingerSeconds: 2 };
    const first = await requestBackup(w.client, { taskQueue: w.taskQueue, trigger, request: { requestedBy: 'job-1' } });
    assert.equal(first.workflowId, triggerWorkflowId('source', container));
    const handle = w.client.workflow.getHandle<typeof backupTrigger>(first.workflowId);
    await hold.held; // the first run has listed the container and is copying, held

    // Written after the first run's listing: only a follow-up run can cover them.
    for (const name of ['new/1.txt', 'new/2.txt', 'new/3.txt']) await src.uploadBlockBlob(name, name, name.length);
    const notified = await cli([
      'notify',
      ...['--source', 'source', '--container', container, '--backup', 'backup', '--backup-container', heldBackup],
      ...['--blob', 'new/1.txt', '--requested-by', 'job-2', '--task-queue', w.taskQueue, '--json'],
    ]);
    assert.equal(notified.code, 0, notified.out);
    assert.equal(JSON.parse(notified.out.trim().split('\n').pop()!).workflowId, first.workflowId);
    await requestBackup(w.client, {
      taskQueue: w.taskQueue,
      trigger,
      request: { prefix: 'new/', requestedBy: 'job-3' },
    });
    await requestBackup(w.client, { taskQueue: w.taskQueue, trigger, request: { blobs: ['new/3.txt'] } });
    const during: BackupTriggerState = await handle.query(triggerStateQuery);
    assert.ok(during.running, 'the first run is still going');
    assert.equal(during.pending.count, 3, 'three requests wait, merged');
    hold.release();

    const { runs } = await handle.result();
    assert.equal(runs.length, 2, `one run, then exactly one follow-up: ${JSON.stringify(runs)}`);
    const [firstRun, followUp] = runs as [(typeof runs)[0], (typeof runs)[0]];
    assert.equal(firstRun.covered.count, 1);
    assert.equal(followUp.covered.count, 3);
    assert.deepEqual(followUp.covered.prefixes, ['new/']);
    assert.deepEqual(followUp.covered.blobs, ['new/1.txt', 'new/3.txt']);
    assert.deepEqual(followUp.covered.requestedBy, ['job-2', 'job-3']);
    assert.deepEqual(
      runs.map((r) => r.outcome),
      ['verified', 'verified'],
    );
    const names = async (runKey: string) =>
      (
        await runRecords(
          w.connections.blob('backup').service.getContainerClient(heldBackup),
          'source',
          container,
          runKey,
        )
      )
        .filter((r) => !('deleted' in r && r.deleted))
        .map((r) => r.name)
        .sort();
    assert.deepEqual(await names(firstRun.detail), ['a.txt', 'b.txt']);
    assert.deepEqual(await names(followUp.detail), ['a.txt', 'b.txt', 'new/1.txt', 'new/2.txt', 'new/3.txt']);
    // No other backup of the container was started (Temporal's own record, not the trigger's).
    await until(
      async () => {
        let count = 0;
        for await (const e of w.client.workflow.list({
          query: `WorkflowType = 'backupContainer' AND BackupContainer = '${container}'`,
        }))
          count += e.status.name === 'COMPLETED' ? 1 : 100;
        return count === 2;
      },
      30_000,
      'exactly two completed backups of the container in visibility',
    );
  });
});

describe('queue consumer', () => {
  it('turns Event Grid BlobCreated messages into runs and sets poison messages aside', async () => {
    const queueName = uniqueName('q');
    const container = uniqueName('evq');
    const backupContainer = uniqueName('bk-q');
    const connections = new ConnectionRegistry(stackConfig().connections);
    let w: TestWorker | undefined;
    try {
      const queues = connections.queue('events');
      const queue = queues.getQueueClient(queueName);
      const poison = queues.getQueueClient(poisonQueueName(queueName));
      await queue.create();
      const src = connections.blob('source').service.getContainerClient(container);
      await src.create();
      for (const name of ['in/1.bin', 'in/2.bin', 'in/3.bin']) await src.uploadBlockBlob(name, name, name.length);
      const event = (blob: string, account = 'source') =>
        Buffer.from(
          JSON.stringify({
            topic: `/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/${account}`,
            subject: `/blobServices/default/containers/${container}/blobs/${blob}`,
            eventType: 'Microsoft.Storage.BlobCreated',
            eventTime: new Date().toISOString(),
            id: uniqueName('ev'),
            data: { api: 'PutBlob', blobType: 'BlockBlob', url: `http://127.0.0.1/${account}/${container}/${blob}` },
            dataVersion: '',
            metadataVersion: '1',
          }),
        ).toString('base64');
      // Delivered three times already (a consumer that kept failing on it): over maxDequeueCount 2.
      const overDelivered = event('in/3.bin');
      await queue.sendMessage(overDelivered);
      for (let i = 0; i < 3; i++) {
        await until(
          async () => (await queue.receiveMessages({ visibilityTimeout: 1 })).receivedMessageItems.length === 1,
          10_000,
          'the message to be visible again',
        );
      }
      const garbage = 'this is not an event';
      const otherAccount = event('in/1.bin', 'someotheraccount');
      for (const text of [event('in/1.bin'), garbage, event('in/2.bin'), otherAccount]) await queue.sendMessage(text);

      w = await startTestWorker({
        queueTriggers: [
          {
            connection: 'events',
            queue: queueName,
            backup: 'backup',
            backupContainer,
            source: 'source',
            maxDequeueCount: 2,
            pollIntervalMs: 200,
            visibilityTimeoutSeconds: 5,
            lingerSeconds: 5,
          },
        ],
      });
      const poisoned: string[] = [];
      await until(
        async () => {
          const { receivedMessageItems } = await poison.receiveMessages({
            numberOfMessages: 32,
            visibilityTimeout: 60,
          });
          poisoned.push(...receivedMessageItems.map((m) => m.messageText));
          const left = (await queue.getProperties()).approximateMessagesCount;
          return poisoned.length === 3 && left === 0;
        },
        60_000,
        'the queue drained and three messages set aside',
      );
      assert.deepEqual(poisoned.sort(), [overDelivered, garbage, otherAccount].sort());

      const handle = w.client.workflow.getHandle<typeof backupTrigger>(triggerWorkflowId('source', container));
      const { runs } = await handle.result();
      assert.ok(runs.length >= 1 && runs.length <= 2, JSON.stringify(runs));
      assert.deepEqual(runs.flatMap((r) => r.covered.blobs).sort(), ['in/1.bin', 'in/2.bin']);
      assert.ok(
        runs.every((r) => r.outcome === 'verified' && r.covered.requestedBy.every((b) => b.startsWith('eventgrid:'))),
      );
      const last = runs[runs.length - 1]!;
      const records = await runRecords(
        connections.blob('backup').service.getContainerClient(backupContainer),
        'source',
        container,
        last.detail,
      );
      assert.deepEqual(records.map((r) => r.name).sort(), ['in/1.bin', 'in/2.bin', 'in/3.bin']);
    } finally {
      await w?.stop();
      connections.close();
    }
  });
});
