// Opening a DocumentStore from what a workflow carries (a kind, a connection name, database and container):
// the worker resolves the connection; a bad name fails naming the input field.
import { CosmosStore } from '../cosmos/cosmos-store';
import { MongoStore } from '../mongo/mongo-store';
import type { DocumentKind } from '../domain/export-manifest';
import type { DocumentStore } from '../exports/document-store';
import type { ConnectionRegistry } from '../storage/connections';
import { connectionFor } from './toolkit';

export interface StoreAddress {
  connection: string;
  database: string;
  container: string;
}

export function openStore(
  connections: ConnectionRegistry,
  kind: DocumentKind,
  address: StoreAddress,
  field: string,
): DocumentStore {
  return connectionFor(field, () => {
    if (kind === 'cosmos-sql') {
      const client = connections.cosmos(address.connection);
      const config = connections.describe(address.connection) as { endpoint: string };
      return new CosmosStore(client, config.endpoint, address.database, address.container);
    }
    const config = connections.describe(address.connection) as { connectionString: string };
    return new MongoStore(
      connections.mongo(address.connection),
      config.connectionString,
      address.database,
      address.container,
    );
  });
}
