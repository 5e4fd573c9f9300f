// Building the worker: clients from config, every workflow and activity registered on one task queue.
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { join } from 'node:path';
import { createActivities, type ActivityDependencies } from '../activities';
import type { Config } from '../config/schema';
import { ConnectionRegistry, type ConnectionRegistryOptions } from '../storage/connections';
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
  /** Closes the Temporal connection and clients; call after `worker.run()` has resolved. */
  close(): Promise<void>;
}

export async function createWorker(options: CreateWorkerOptions): Promise<AzbackupWorker> {
  const { config } = options;
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  try {
    await assertSearchAttributesRegistered(connection, config.temporal.namespace);
    const connections = new ConnectionRegistry(config.connections, options.connectionOptions);
    const worker = await Worker.create({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: options.taskQueue ?? config.temporal.taskQueue,
      ...(options.workflowBundle
        ? { workflowBundle: options.workflowBundle }
        : { workflowsPath: require.resolve(join(__dirname, '..', 'workflows')) }),
      activities: createActivities({ connections, backupPage: options.backupPage }),
      maxConcurrentActivityTaskExecutions: config.worker.maxConcurrentActivityTaskExecutions,
      maxConcurrentWorkflowTaskExecutions: config.worker.maxConcurrentWorkflowTaskExecutions,
    });
    return {
      worker,
      connections,
      close: async () => {
        connections.close();
        await connection.close();
      },
    };
  } catch (err) {
    await connection.close();
    throw err;
  }
}
