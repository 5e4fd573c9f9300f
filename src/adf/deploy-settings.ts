// From the worker's connection names to what a deploy tells the factory: the accounts' endpoints, never
// their credentials (the factory reaches them with its own managed identity). A mongo connection's string
// holds a password, so the factory reads it from Key Vault instead, by default from a secret named like
// the connection.
import type { ConnectionRegistry } from '../storage/connections';
import { accountEndpoint } from '../domain/account-url';
import { blobEndpoint } from '../storage/blob-account';
import { WrongConnectionKindError } from '../storage/errors';
import type { DeployPipelinesOptions } from './deploy';

export interface AdfDeployConnections {
  /** The blob connection of the account backed up. */
  source: string;
  /** The blob connection of the backup account. */
  backup: string;
  /** A cosmos connection: deploys the Cosmos DB for NoSQL window export. */
  cosmos?: string;
  /** A mongo connection: deploys the Cosmos DB for MongoDB window export. */
  mongo?: {
    connection: string;
    /** The Key Vault holding the connection string, e.g. https://myvault.vault.azure.net/. */
    keyVaultUrl: string;
    /** The secret's name in it; default: the connection's name. */
    secretName?: string;
  };
}

/** Resolves a connection for an input field; the caller turns a bad name into its own error (field or flag). */
export type ResolveConnection = <T>(field: string, resolve: () => T) => T;

export function deploySettings(
  connections: ConnectionRegistry,
  names: AdfDeployConnections,
  resolve: ResolveConnection,
): Pick<DeployPipelinesOptions, 'sourceEndpoint' | 'backupEndpoint' | 'cosmosEndpoint' | 'mongo'> {
  const blob = (name: string) => {
    const config = connections.describe(name);
    if (config.kind !== 'blob') throw new WrongConnectionKindError(name, 'blob', config.kind);
    return accountEndpoint(blobEndpoint(name, config));
  };
  const mongo = names.mongo;
  return {
    sourceEndpoint: resolve('source', () => blob(names.source)),
    backupEndpoint: resolve('backup', () => blob(names.backup)),
    ...(names.cosmos !== undefined
      ? {
          cosmosEndpoint: resolve('cosmos', () => {
            const config = connections.describe(names.cosmos!);
            if (config.kind !== 'cosmos') throw new WrongConnectionKindError(names.cosmos!, 'cosmos', config.kind);
            return accountEndpoint(config.endpoint);
          }),
        }
      : {}),
    ...(mongo !== undefined
      ? {
          mongo: resolve('mongo.connection', () => {
            const config = connections.describe(mongo.connection);
            if (config.kind !== 'mongo') throw new WrongConnectionKindError(mongo.connection, 'mongo', config.kind);
            return { keyVaultUrl: mongo.keyVaultUrl, secretName: mongo.secretName ?? mongo.connection };
          }),
        }
      : {}),
  };
}
