// The queue consumer: Event Grid BlobCreated messages on a storage queue become backup requests
// (the same signal-with-start as `azbackup notify`). It runs inside the worker, configured under
// worker.queueTriggers: like a task-queue poller it starts and stops with the worker, several workers
// share a queue through visibility timeouts, and polling adds nothing to any workflow history.
//
// A message is deleted only after Temporal has accepted the signal of every event in it; if that
// fails the message reappears after its visibility timeout. A message that cannot be parsed, names an
// account no blob connection reaches, or has been delivered more than maxDequeueCount times is copied
// unchanged to <queue>-poison (for inspection or replay) and then deleted.
import type { DequeuedMessageItem, QueueClient } from '@azure/storage-queue';
import type { Client } from '@temporalio/client';
import { setTimeout as sleep } from 'node:timers/promises';
import type { QueueTriggerConfig } from '../config/schema';
import { parseBlobCreatedMessage, type BlobCreatedEvent } from '../domain/event-grid';
import type { ConnectionRegistry } from '../storage/connections';
import { InvalidBackupRequestError, requestBackup } from './request-backup';

export interface QueueConsumerOptions {
  trigger: QueueTriggerConfig;
  connections: ConnectionRegistry;
  client: Client;
  taskQueue: string;
  log?: (message: string) => void;
}

export interface QueueConsumerStats {
  signalled: number;
  deleted: number;
  poisoned: number;
  /** Messages left on the queue after a failure (they come back after the visibility timeout). */
  retried: number;
}

export const poisonQueueName = (queue: string) => `${queue}-poison`;

export class QueueConsumer {
  readonly stats: QueueConsumerStats = { signalled: 0, deleted: 0, poisoned: 0, retried: 0 };
  private readonly queue: QueueClient;
  private readonly poison: QueueClient;
  private readonly abort = new AbortController();
  private running?: Promise<void>;
  private readonly log: (message: string) => void;

  constructor(private readonly options: QueueConsumerOptions) {
    const service = options.connections.queue(options.trigger.connection);
    this.queue = service.getQueueClient(options.trigger.queue);
    this.poison = service.getQueueClient(poisonQueueName(options.trigger.queue));
    this.log = options.log ?? ((m) => console.warn(m));
  }

  start(): void {
    this.running ??= this.loop();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
  }

  private async loop(): Promise<void> {
    const abortSignal = this.abort.signal;
    const { pollIntervalMs, visibilityTimeoutSeconds, queue } = this.options.trigger;
    let poisonReady = false;
    while (!abortSignal.aborted) {
      try {
        if (!poisonReady) {
          await this.poison.createIfNotExists({ abortSignal });
          poisonReady = true;
        }
        const { receivedMessageItems } = await this.queue.receiveMessages({
          numberOfMessages: 32,
          visibilityTimeout: visibilityTimeoutSeconds,
          abortSignal,
        });
        for (const message of receivedMessageItems) await this.handle(message);
        if (receivedMessageItems.length === 0) await sleep(pollIntervalMs, undefined, { signal: abortSignal });
      } catch (err) {
        if (abortSignal.aborted) break;
        this.log(`azbackup queue trigger ${queue}: ${(err as Error).message}; polling again in ${pollIntervalMs} ms`);
        await sleep(pollIntervalMs, undefined, { signal: abortSignal }).catch(() => {});
      }
    }
  }

  private async handle(message: DequeuedMessageItem): Promise<void> {
    const { maxDequeueCount } = this.options.trigger;
    if (message.dequeueCount > maxDequeueCount)
      return this.setAside(message, `delivered ${message.dequeueCount} times (more than ${maxDequeueCount})`);
    const parsed = parseBlobCreatedMessage(message.messageText);
    if (!parsed.ok) return this.setAside(message, `the message ${parsed.reason}`);
    const sources = this.sourcesByAccount();
    const unknown = parsed.events.find((e) => !sources.has(e.account));
    if (unknown)
      return this.setAside(
        message,
        `no blob connection ${this.options.trigger.source ?? ''} reaches account ${unknown.account}`,
      );
    try {
      for (const event of parsed.events) await this.signal(event, sources.get(event.account)!);
    } catch (err) {
      if (err instanceof InvalidBackupRequestError) return this.setAside(message, err.message);
      this.stats.retried++;
      this.log(
        `azbackup queue trigger ${this.options.trigger.queue}: message ${message.messageId} left for a retry: ${(err as Error).message}`,
      );
      return;
    }
    await this.queue.deleteMessage(message.messageId, message.popReceipt, { abortSignal: this.abort.signal });
    this.stats.deleted++;
  }

  private async signal(event: BlobCreatedEvent, source: string): Promise<void> {
    const t = this.options.trigger;
    await requestBackup(this.options.client, {
      taskQueue: this.options.taskQueue,
      trigger: {
        source,
        container: event.container,
        backup: t.backup,
        ...(t.backupContainer ? { backupContainer: t.backupContainer } : {}),
        ...(t.lingerSeconds !== undefined ? { lingerSeconds: t.lingerSeconds } : {}),
      },
      request: { blobs: [event.blob], requestedBy: `eventgrid:${event.id}`, at: event.eventTime },
    });
    this.stats.signalled++;
  }

  /** The original text goes to the poison queue first, then the message is deleted: never lost. */
  private async setAside(message: DequeuedMessageItem, reason: string): Promise<void> {
    const abortSignal = this.abort.signal;
    await this.poison.sendMessage(message.messageText, { abortSignal });
    await this.queue.deleteMessage(message.messageId, message.popReceipt, { abortSignal });
    this.stats.poisoned++;
    this.log(
      `azbackup queue trigger ${this.options.trigger.queue}: message ${message.messageId} moved to ` +
        `${poisonQueueName(this.options.trigger.queue)}: ${reason}`,
    );
  }

  /** Storage account name → the blob connection that reaches it (the configured source only, when set). */
  private sourcesByAccount(): Map<string, string> {
    const { connections, trigger } = this.options;
    const names = trigger.source ? [trigger.source] : connections.names('blob');
    const byAccount = new Map<string, string>();
    for (const name of names) {
      const account = connections.blob(name).accountName.toLowerCase();
      if (!byAccount.has(account)) byAccount.set(account, name);
    }
    return byAccount;
  }
}
