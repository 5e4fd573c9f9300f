// Test helpers over the shared stack: its config, a worker on a private task queue (with the bundle
// built once per run), a Temporal client, and unique names so test files can run side by side.
import { Client, Connection } from '@temporalio/client';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseConfig } from '../../src/config/load';
import type { Config, MetricsConfig, QueueTriggerConfig } from '../../src/config/schema';
import { installRuntime } from '../../src/metrics/runtime';
import { ConnectionRegistry, type ConnectionRegistryOptions } from '../../src/storage/connections';
import { createWorker, type AzbackupWorker, type CreateWorkerOptions } from '../../src/workers/create-worker';
import { DefaultLogger } from '@temporalio/worker';
import type { TestStackInfo } from './stack-info';

let runtimeInstalled: { metrics?: MetricsConfig } | undefined;
/**
 * Worker logs at ERROR: tests provoke failures on purpose; the output should show results. The runtime is
 * installed once per process (each test file is one): a file whose worker has metrics starts it first.
 */
export function quietRuntime(metrics?: MetricsConfig): void {
  if (runtimeInstalled) {
    if (metrics && runtimeInstalled.metrics !== metrics)
      throw new Error("this process's Temporal runtime was installed without these metrics: start that worker first");
    return;
  }
  runtimeInstalled = { metrics };
  installRuntime(metrics, { logger: new DefaultLogger('ERROR') });
}

export function stackInfo(): TestStackInfo {
  const file = process.env.AZBACKUP_TEST_STACK;
  if (!file) throw new Error('AZBACKUP_TEST_STACK is not set: run the tests through `npm test`');
  return JSON.parse(readFileSync(file, 'utf8')) as TestStackInfo;
}

export function stackConfig(): Config {
  return parseConfig(stackInfo().config);
}

/** Lowercase, container-name-safe and unique per call. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

export interface TestWorker {
  client: Client;
  taskQueue: string;
  connections: ConnectionRegistry;
  config: Config;
  /** Drains and stops the worker; register it with `after`. */
  stop(): Promise<void>;
}

export interface StartTestWorkerOptions {
  taskQueue?: string;
  connectionOptions?: ConnectionRegistryOptions;
  /** Internal activity tuning, e.g. short leases. */
  backupPage?: CreateWorkerOptions['backupPage'];
  /** More connections for this worker, e.g. a second name for an account the stack already has. */
  extraConnections?: Config['connections'];
  /** Encryption keys replacing the stack's (e.g. another key under the same name). */
  keys?: Config['keys'];
  /** `worker.metrics`: the Prometheus endpoint (and the runtime's exporter, so the first worker of the file). */
  metrics?: MetricsConfig;
  /** `worker.queueTriggers`: storage queues this worker consumes (src/triggers). */
  queueTriggers?: QueueTriggerConfig[];
}

/** Starts a worker on its own task queue; call `stop()` in an `after` hook. */
export async function startTestWorker(options: StartTestWorkerOptions = {}): Promise<TestWorker> {
  const taskQueue = options.taskQueue ?? uniqueName('tq');
  quietRuntime(options.metrics);
  const info = stackInfo();
  const base = stackConfig();
  const config = {
    ...base,
    worker: { ...base.worker, metrics: options.metrics, queueTriggers: options.queueTriggers ?? [] },
    connections: { ...base.connections, ...options.extraConnections },
    keys: options.keys ?? base.keys,
  };
  const azWorker: AzbackupWorker = await createWorker({
    config,
    taskQueue,
    workflowBundle: { codePath: info.workflowBundlePath },
    connectionOptions: options.connectionOptions,
    backupPage: options.backupPage,
  });
  const running = azWorker.worker.run();
  const connection = await Connection.connect({ address: config.temporal.address });
  const client = new Client({ connection, namespace: config.temporal.namespace });
  const stop = async (): Promise<void> => {
    azWorker.worker.shutdown();
    await running;
    await azWorker.close();
    await connection.close();
  };
  return { client, taskQueue, connections: azWorker.connections, config, stop };
}
