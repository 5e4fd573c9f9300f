// Building the worker: clients from config, every workflow and activity registered on one task queue.
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { join } from 'node:path';
import { createActivities, type ActivityDependencies } from '../activities';
import type { Config } from '../config/schema';
import { startMetricsEndpoint, type MetricsEndpoint } from '../metrics/endpoint';
import { identitySdk } from '../lib/lazy-sdk';
import { KeyRing } from '../pipeline/key-ring';
import { ConnectionRegistry, type ConnectionRegistryOptions } from '../storage/connections';
import { QueueConsumer } from '../triggers/queue-consumer';
import { assertSearchAttributesRegistered } from './search-attributes-check';

export interface CreateWorkerOptions {
  config: Config;
  /** A prebuilt bundle (tests build one per run); otherwise the worker bundles src/workflows itself. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Overrides config.temporal.taskQueue. */
  taskQueue?: string;
  /** Request decorators per connection (tests inject faults with these). */
  connectionOptions?: ConnectionRegistryOptions;
  /** Internal activity tuning (tests shorten leases). */
  backupPage?: ActivityDependencies['backupPage'];
}

export interface AzbackupWorker {
  worker: Worker;
  connections: ConnectionRegistry;
  /** The Prometheus endpoint, when `config.worker.metrics` is set (src/metrics). */
  metrics?: MetricsEndpoint;
  /** The consumers of `worker.queueTriggers`, polling from creation until close (src/triggers). */
  queueConsumers: QueueConsumer[];
  /** Closes the Temporal connection and clients; call after `worker.run()` has resolved. */
  close(): Promise<void>;
}

export async function createWorker(options: CreateWorkerOptions): Promise<AzbackupWorker> {
  const { config } = options;
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  let metrics: MetricsEndpoint | undefined;
  try {
    await assertSearchAttributesRegistered(connection, config.temporal.namespace);
    const connections = new ConnectionRegistry(config.connections, {
      maxSocketsPerAccount: config.worker.maxSocketsPerAccount,
      ...options.connectionOptions,
    });
    if (config.worker.metrics) metrics = await startMetricsEndpoint(config.worker.metrics);
    const worker = await Worker.create({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: options.taskQueue ?? config.temporal.taskQueue,
      ...(options.workflowBundle
        ? { workflowBundle: options.workflowBundle }
        : { workflowsPath: require.resolve(join(__dirname, '..', 'workflows')) }),
      activities: createActivities({ connections, keys: keyRingOf(config), backupPage: options.backupPage }),
      maxConcurrentActivityTaskExecutions: config.worker.maxConcurrentActivityTaskExecutions,
      maxConcurrentWorkflowTaskExecutions: config.worker.maxConcurrentWorkflowTaskExecutions,
      maxCachedWorkflows: config.worker.maxCachedWorkflows,
      // Progress details reach the server (the UI, `azbackup status`) within 2 s instead of 80 % of the
      // heartbeat timeout: live progress for short activities too, at one heartbeat call per 2 s each.
      maxHeartbeatThrottleInterval: '2 seconds',
      defaultHeartbeatThrottleInterval: '2 seconds',
      ...(metrics && { interceptors: { activity: [metrics.interceptor] } }),
    });
    const queueConsumers = await startQueueConsumers(
      config,
      connections,
      options.taskQueue ?? config.temporal.taskQueue,
    );
    return {
      worker,
      connections,
      metrics,
      queueConsumers: queueConsumers.consumers,
      close: async () => {
        await queueConsumers.stop();
        await metrics?.close();
        connections.close();
        await connection.close();
      },
    };
  } catch (err) {
    await metrics?.close();
    await connection.close();
    throw err;
  }
}

/** One consumer per configured queue trigger, signalling through a client of the worker's own. */
async function startQueueConsumers(config: Config, connections: ConnectionRegistry, taskQueue: string) {
  if (config.worker.queueTriggers.length === 0) return { consumers: [], stop: async () => {} };
  const connection = await Connection.connect({ address: config.temporal.address });
  const client = new Client({ connection, namespace: config.temporal.namespace });
  const consumers = config.worker.queueTriggers.map(
    (trigger) => new QueueConsumer({ trigger, connections, client, taskQueue }),
  );
  for (const consumer of consumers) consumer.start();
  return {
    consumers,
    stop: async () => {
      await Promise.all(consumers.map((c) => c.stop()));
      await connection.close();
    },
  };
}

/** The configured keys; Key Vault ones are read with DefaultAzureCredential (managed identity in Azure). */
export function keyRingOf(config: Config): KeyRing {
  const vault = Object.values(config.keys).some((k) => k.source === 'keyvault');
  return new KeyRing(config.keys, vault ? { credential: new (identitySdk().DefaultAzureCredential)() } : {});
}
