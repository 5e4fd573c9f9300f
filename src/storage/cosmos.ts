// Cosmos DB clients from named connections. A connection's `caFile` is trusted by that client's own
// agent only: a local server's certificate never weakens TLS for anything else in the process.
import type { CosmosClient } from '@azure/cosmos';
import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import type { CosmosConnectionConfig } from '../config/schema';
import { cosmosSdk, identitySdk } from '../lib/lazy-sdk';

export function createCosmosClient(config: CosmosConnectionConfig): CosmosClient {
  const agent = config.caFile ? new Agent({ ca: readFileSync(config.caFile), keepAlive: true }) : undefined;
  const { CosmosClient } = cosmosSdk();
  return new CosmosClient({
    endpoint: config.endpoint,
    ...(config.key ? { key: config.key } : { aadCredentials: new (identitySdk().DefaultAzureCredential)() }),
    ...(agent ? { agent } : {}),
  });
}
