// Data Factory clients from named connections. `endpoint` points the ARM client elsewhere (sovereign
// clouds, the local stand-in); `caFile` is trusted by this client only, never process-wide.
import type { DataFactoryManagementClient } from '@azure/arm-datafactory';
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { readFileSync } from 'node:fs';
import type { AdfConnectionConfig } from '../config/schema';
import { dataFactorySdk, identitySdk } from '../lib/lazy-sdk';

export interface DataFactoryTarget {
  client: DataFactoryManagementClient;
  resourceGroup: string;
  factoryName: string;
}

export function createDataFactoryClient(config: AdfConnectionConfig): DataFactoryTarget {
  const credential: TokenCredential =
    config.credential === 'default'
      ? new (identitySdk().DefaultAzureCredential)()
      : staticTokenCredential(config.credential.token);
  const client = new (dataFactorySdk().DataFactoryManagementClient)(credential, config.subscriptionId, {
    // `$host` alone still sends requests to Azure; `endpoint` is what moves them.
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    ...(config.caFile ? { tlsOptions: { ca: readFileSync(config.caFile) } } : {}),
  });
  return { client, resourceGroup: config.resourceGroup, factoryName: config.factoryName };
}

function staticTokenCredential(token: string): TokenCredential {
  return {
    async getToken(): Promise<AccessToken> {
      return { token, expiresOnTimestamp: Date.now() + 60 * 60 * 1000 };
    },
  };
}
