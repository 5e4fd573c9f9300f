// SDKs most workers never use (Cosmos, MongoDB, Data Factory, Key Vault, Identity), loaded on first use:
// loading them all at start-up cost every worker ~20 MiB of RSS and start-up time for code a blob-only
// deployment never runs. Types still come from static `import type`; only the values are deferred.
/* eslint-disable @typescript-eslint/no-require-imports */

function lazy<T>(load: () => T): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= load());
}

export const cosmosSdk = lazy(() => require('@azure/cosmos') as typeof import('@azure/cosmos'));
export const mongoSdk = lazy(() => require('mongodb') as typeof import('mongodb'));
export const dataFactorySdk = lazy(() => require('@azure/arm-datafactory') as typeof import('@azure/arm-datafactory'));
export const keyVaultSdk = lazy(() => require('@azure/keyvault-secrets') as typeof import('@azure/keyvault-secrets'));
export const identitySdk = lazy(() => require('@azure/identity') as typeof import('@azure/identity'));
