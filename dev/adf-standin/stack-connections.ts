// How the stand-in reaches the local stack when a pipeline copies data: through the stack's own azbackup
// config file (dev/stack.ts writes it; `--config-file`), matching what a linked service names to a connection
// there: a blob linked service's serviceEndpoint to the blob connection with that endpoint, a Cosmos DB one's
// accountEndpoint to the cosmos connection with that endpoint. The stand-in's "Key Vault" holds the config's
// mongo connection strings, each under its connection's name (the secret name a deploy gives by default).
// The file is read when a copy first needs it (the stack writes it after starting the stand-in) and again
// whenever it changes.
import type { CosmosClient } from '@azure/cosmos';
import { statSync } from 'node:fs';
import { MongoClient } from 'mongodb';
import { loadConfig } from '../../src/config/load';
import type { Config } from '../../src/config/schema';
import { accountEndpoint } from '../../src/domain/account-url';
import { blobEndpoint, type BlobAccount } from '../../src/storage/blob-account';
import { ConnectionRegistry } from '../../src/storage/connections';

/** An error a copy activity reports as ADF would: a code and a message. */
export class CopyError extends Error {
  constructor(
    readonly errorCode: string,
    message: string,
    readonly failureType: 'UserError' | 'SystemError' = 'UserError',
  ) {
    super(message);
    this.name = 'CopyError';
  }
}

export class StackConnections {
  private loaded: { mtimeMs: number; config: Config; registry: ConnectionRegistry } | undefined;
  private readonly mongoClients = new Map<string, MongoClient>();

  constructor(private readonly configFile: string | undefined) {}

  private current(): { config: Config; registry: ConnectionRegistry } {
    if (!this.configFile) {
      throw new CopyError(
        'StandinNotConnected',
        'The ADF stand-in was started without --config-file, so it cannot reach the stack to copy data. ' +
          "Start it with the stack's azbackup config (dev/stack.ts writes azbackup.local.yaml).",
        'SystemError',
      );
    }
    let mtimeMs: number;
    try {
      mtimeMs = statSync(this.configFile).mtimeMs;
    } catch {
      throw new CopyError(
        'StandinNotConnected',
        `The ADF stand-in's config file ${this.configFile} is not there (yet).`,
        'SystemError',
      );
    }
    if (!this.loaded || this.loaded.mtimeMs !== mtimeMs) {
      this.loaded?.registry.close();
      const config = loadConfig({ file: this.configFile });
      this.loaded = { mtimeMs, config, registry: new ConnectionRegistry(config.connections) };
    }
    return this.loaded;
  }

  /** The blob account whose endpoint a blob linked service names. */
  blobAccount(serviceEndpoint: unknown): BlobAccount {
    const { config, registry } = this.current();
    const wanted = normalized(serviceEndpoint, 'serviceEndpoint');
    const endpoints: string[] = [];
    for (const [name, connection] of Object.entries(config.connections)) {
      if (connection.kind !== 'blob') continue;
      const endpoint = accountEndpoint(blobEndpoint(name, connection));
      if (endpoint === wanted) return registry.blob(name);
      endpoints.push(endpoint);
    }
    throw new CopyError(
      'UserErrorInvalidServiceEndpoint',
      `No storage account at ${wanted} is known to the stand-in (the stack's blob endpoints: ${endpoints.join(', ')}).`,
    );
  }

  /** The Cosmos DB client for the account a Cosmos DB linked service names. */
  cosmos(accountEndpointValue: unknown): CosmosClient {
    const { config, registry } = this.current();
    const wanted = normalized(accountEndpointValue, 'accountEndpoint');
    for (const [name, connection] of Object.entries(config.connections)) {
      if (connection.kind === 'cosmos' && accountEndpoint(connection.endpoint) === wanted) return registry.cosmos(name);
    }
    throw new CopyError(
      'UserErrorInvalidAccountEndpoint',
      `No Cosmos DB account at ${wanted} is known to the stand-in.`,
    );
  }

  /** The stand-in's Key Vault: the stack config's mongo connection strings, by connection name. */
  keyVaultSecret(baseUrl: unknown, secretName: unknown): string {
    const { config } = this.current();
    const connection = typeof secretName === 'string' ? config.connections[secretName] : undefined;
    if (connection?.kind !== 'mongo') {
      throw new CopyError(
        'UserErrorAzureKeyVaultSecretNotFound',
        `Failed to get the secret ${JSON.stringify(secretName)} from Azure Key Vault ${String(baseUrl)}: the stand-in's ` +
          'Key Vault holds the mongo connections of the stack config, by connection name.',
      );
    }
    return connection.connectionString;
  }

  mongo(connectionString: string): MongoClient {
    let client = this.mongoClients.get(connectionString);
    if (!client) {
      client = new MongoClient(connectionString, { appName: 'azbackup-adf-standin', serverSelectionTimeoutMS: 15_000 });
      this.mongoClients.set(connectionString, client);
    }
    return client;
  }

  async close(): Promise<void> {
    this.loaded?.registry.close();
    await Promise.all([...this.mongoClients.values()].map((c) => c.close()));
  }
}

function normalized(value: unknown, what: string): string {
  if (typeof value !== 'string' || value === '') throw new CopyError('UserErrorInvalidValue', `The ${what} is empty.`);
  try {
    return accountEndpoint(value);
  } catch {
    throw new CopyError('UserErrorInvalidValue', `The ${what} ${JSON.stringify(value)} is not a URL.`);
  }
}
