// The connection registry: the worker's only way from a connection name (what workflows carry) to
// a client with credentials (what never leaves the worker). Clients are built once and reused.
import type { CosmosClient } from '@azure/cosmos';
import type { Config, ConnectionConfig } from '../config/schema';
import { BlobAccount } from './blob-account';
import { createCosmosClient } from './cosmos';
import { UnknownConnectionError, WrongConnectionKindError } from './errors';

export class ConnectionRegistry {
  private readonly blobAccounts = new Map<string, BlobAccount>();
  private readonly cosmosClients = new Map<string, CosmosClient>();

  constructor(private readonly connections: Config['connections']) {}

  names(kind?: ConnectionConfig['kind']): string[] {
    return Object.entries(this.connections)
      .filter(([, c]) => !kind || c.kind === kind)
      .map(([name]) => name);
  }

  describe(name: string): ConnectionConfig {
    const config = this.connections[name];
    if (!config) throw new UnknownConnectionError(name, this.names());
    return config;
  }

  blob(name: string): BlobAccount {
    let account = this.blobAccounts.get(name);
    if (!account) {
      const config = this.describe(name);
      if (config.kind !== 'blob') throw new WrongConnectionKindError(name, 'blob', config.kind);
      account = BlobAccount.fromConfig(name, config);
      this.blobAccounts.set(name, account);
    }
    return account;
  }

  cosmos(name: string): CosmosClient {
    let client = this.cosmosClients.get(name);
    if (!client) {
      const config = this.describe(name);
      if (config.kind !== 'cosmos') throw new WrongConnectionKindError(name, 'cosmos', config.kind);
      client = createCosmosClient(config);
      this.cosmosClients.set(name, client);
    }
    return client;
  }

  close(): void {
    for (const client of this.cosmosClients.values()) client.dispose();
  }
}
