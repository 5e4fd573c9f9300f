// A Temporal client from the config file, for CLI commands.
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../config/load';
import type { Config } from '../config/schema';

export async function withClient<T>(fn: (client: Client, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const connection = await Connection.connect({ address: config.temporal.address });
  try {
    return await fn(new Client({ connection, namespace: config.temporal.namespace }), config);
  } finally {
    await connection.close();
  }
}

export function workflowUrl(config: Config, workflowId: string): string | undefined {
  const base = config.temporal.uiUrl;
  return base
    ? `${base.replace(/\/$/, '')}/namespaces/${config.temporal.namespace}/workflows/${encodeURIComponent(workflowId)}`
    : undefined;
}
