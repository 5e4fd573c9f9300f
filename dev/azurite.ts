// Azurite (the blob service, and the queue service as its own process) with the accounts the dev stack uses: `source`, `backup`, and
// Azurite's default devstoreaccount1 (AZURITE_ACCOUNTS replaces it unless it is listed).
import { join } from 'node:path';
import { ManagedProcess } from './managed-process';
import { waitForPort } from './wait';

/** Well-known development keys: these accounts exist only inside a local Azurite. */
export const AZURITE_ACCOUNTS = {
  devstoreaccount1: 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==',
  source: Buffer.from('azbackup-local-dev-key-for-the-source-account!').toString('base64'),
  backup: Buffer.from('azbackup-local-dev-key-for-the-backup-account!').toString('base64'),
} as const;

export type AzuriteAccount = keyof typeof AZURITE_ACCOUNTS;

export function azuriteConnectionString(port: number, account: AzuriteAccount): string {
  return (
    `DefaultEndpointsProtocol=http;AccountName=${account};AccountKey=${AZURITE_ACCOUNTS[account]};` +
    `BlobEndpoint=http://127.0.0.1:${port}/${account};`
  );
}

/** The queue endpoint of an account (producer triggers read Event Grid messages from its queues). */
export function azuriteQueueConnectionString(port: number, account: AzuriteAccount): string {
  return (
    `DefaultEndpointsProtocol=http;AccountName=${account};AccountKey=${AZURITE_ACCOUNTS[account]};` +
    `QueueEndpoint=http://127.0.0.1:${port}/${account};`
  );
}

export interface AzuriteOptions {
  port: number;
  /** Directory for blob data; in memory when absent. */
  location?: string;
  logDir: string;
}

export async function startAzurite(
  options: AzuriteOptions,
  service: 'blob' | 'queue' = 'blob',
): Promise<ManagedProcess> {
  const main = join(require.resolve('azurite/package.json'), '..', 'dist', 'src', service, 'main.js');
  const args = [main, `--${service}Host`, '127.0.0.1', `--${service}Port`, String(options.port)];
  // Azurite lags the SDK's x-ms-version; without this it rejects current clients with 400.
  args.push('--skipApiVersionCheck', '--disableTelemetry');
  if (options.location) args.push('--location', options.location);
  else args.push('--inMemoryPersistence');
  const proc = new ManagedProcess({
    name: service === 'blob' ? 'Azurite' : 'Azurite queue service',
    command: process.execPath,
    args,
    logFile: join(options.logDir, service === 'blob' ? 'azurite.log' : 'azurite-queue.log'),
    env: {
      ...process.env,
      AZURITE_ACCOUNTS: Object.entries(AZURITE_ACCOUNTS)
        .map(([name, key]) => `${name}:${key}`)
        .join(';'),
    },
  });
  await waitForPort(proc, options.port);
  return proc;
}
