// The connection registry: the worker's only way from a connection name (what workflows carry) to
// a client with credentials (what never leaves the worker). Clients are built once and reused.
import type { CosmosClient } from '@azure/cosmos';
import type { MongoClient } from 'mongodb';
import { QueueServiceClient } from '@azure/storage-queue';
import type { BlobConnectionConfig, Config, ConnectionConfig } from '../config/schema';
import { accountEndpoint } from '../domain/account-url';
import { identitySdk, mongoSdk } from '../lib/lazy-sdk';
import { BlobAccount, blobEndpoint } from './blob-account';
import { createCosmosClient } from './cosmos';
import { createDataFactoryClient, type DataFactoryTarget } from './data-factory';
import { UnknownConnectionError, WrongConnectionKindError } from './errors';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { SOCKETS_PER_ACCOUNT } from '../config/worker-defaults';
import {
  agentDecorator,
  rateLimitDecorator,
  requestTimeoutDecorator,
  type RequestDecorator,
} from './pipeline-policies';
import { TokenBucket } from './token-bucket';

export interface ConnectionRegistryOptions {
  /** Extra request decorators per blob connection (tests inject faults this way). */
  decorators?: (connection: string) => RequestDecorator[];
  /** Per-try deadline for a storage response to start (default 5 minutes; tests shorten it). */
  requestTimeoutInMs?: number;
  /** Sockets per storage account, on one keep-alive agent per account (default 8 per core). */
  maxSocketsPerAccount?: number;
}

/** Long enough for a 256 MiB Copy Blob From URL on a slow day; short enough that a hang is retried soon. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 5 * 60_000;

export interface BlobAccountOptions {
  /** A cap for this use, on top of the connection's configured one; shared by all users of the same cap. */
  maxRequestsPerSecond?: number;
}

export class ConnectionRegistry {
  private readonly blobAccounts = new Map<string, BlobAccount>();
  private readonly cosmosClients = new Map<string, CosmosClient>();
  private readonly mongoClients = new Map<string, MongoClient>();
  private readonly dataFactories = new Map<string, DataFactoryTarget>();
  private readonly queueServices = new Map<string, QueueServiceClient>();
  /**
   * One bucket per (storage account, cap): every activity of this worker using that cap on that account
   * shares it, through whichever connection name (the account counts requests, not our names for it).
   */
  private readonly buckets = new Map<string, TokenBucket>();
  /** One keep-alive agent per storage account: its socket limit holds across connection names and caps. */
  private readonly agents = new Map<string, HttpAgent>();

  constructor(
    private readonly connections: Config['connections'],
    private readonly options: ConnectionRegistryOptions = {},
  ) {}

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

  blob(name: string, options: BlobAccountOptions = {}): BlobAccount {
    const key = `${name}@${options.maxRequestsPerSecond ?? ''}`;
    let account = this.blobAccounts.get(key);
    if (!account) {
      const config = this.describe(name);
      if (config.kind !== 'blob') throw new WrongConnectionKindError(name, 'blob', config.kind);
      const caps = [...new Set([config.maxRequestsPerSecond, options.maxRequestsPerSecond])].filter(
        (r): r is number => !!r,
      );
      const decorators = [
        agentDecorator(this.agent(name, config)),
        ...caps.map((rate) => rateLimitDecorator(this.bucket(accountKey(name, config), rate))),
        // Around what a test injects: an injected hang meets the deadline like a silent service.
        requestTimeoutDecorator(this.options.requestTimeoutInMs ?? DEFAULT_REQUEST_TIMEOUT_MS),
        ...(this.options.decorators?.(name) ?? []),
      ];
      account = BlobAccount.fromConfig(name, config, decorators);
      this.blobAccounts.set(key, account);
    }
    return account;
  }

  private agent(name: string, config: BlobConnectionConfig): HttpAgent {
    const endpoint = blobEndpoint(name, config);
    const key = accountKey(name, config);
    let agent = this.agents.get(key);
    if (!agent) {
      const options = { keepAlive: true, maxSockets: this.options.maxSocketsPerAccount ?? SOCKETS_PER_ACCOUNT };
      agent = endpoint.startsWith('https:') ? new HttpsAgent(options) : new HttpAgent(options);
      this.agents.set(key, agent);
    }
    return agent;
  }

  private bucket(account: string, ratePerSecond: number): TokenBucket {
    const key = `${account}@${ratePerSecond}`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket({ ratePerSecond });
      this.buckets.set(key, bucket);
    }
    return bucket;
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

  /** A MongoDB driver client (connected lazily by the driver), one per connection name. */
  mongo(name: string): MongoClient {
    let client = this.mongoClients.get(name);
    if (!client) {
      const config = this.describe(name);
      if (config.kind !== 'mongo') throw new WrongConnectionKindError(name, 'mongo', config.kind);
      client = new (mongoSdk().MongoClient)(config.connectionString, { appName: 'azbackup' });
      this.mongoClients.set(name, client);
    }
    return client;
  }

  dataFactory(name: string): DataFactoryTarget {
    let target = this.dataFactories.get(name);
    if (!target) {
      const config = this.describe(name);
      if (config.kind !== 'adf') throw new WrongConnectionKindError(name, 'adf', config.kind);
      target = createDataFactoryClient(config);
      this.dataFactories.set(name, target);
    }
    return target;
  }

  /** A storage queue service client, one per connection name. */
  queue(name: string): QueueServiceClient {
    let client = this.queueServices.get(name);
    if (!client) {
      const config = this.describe(name);
      if (config.kind !== 'queue') throw new WrongConnectionKindError(name, 'queue', config.kind);
      if (config.connectionString) client = QueueServiceClient.fromConnectionString(config.connectionString);
      else if (config.sasToken)
        client = new QueueServiceClient(
          `${config.accountUrl!.replace(/\/$/, '')}?${config.sasToken.replace(/^\?/, '')}`,
        );
      else client = new QueueServiceClient(config.accountUrl!, new (identitySdk().DefaultAzureCredential)());
      this.queueServices.set(name, client);
    }
    return client;
  }

  close(): void {
    for (const agent of this.agents.values()) agent.destroy();
    for (const client of this.cosmosClients.values()) client.dispose();
    for (const client of this.mongoClients.values()) void client.close();
  }
}

/** Host and account of the blob endpoint (no scheme, no SAS): one key per storage account. */
function accountKey(name: string, config: BlobConnectionConfig): string {
  return accountEndpoint(blobEndpoint(name, config)).replace(/^[a-z][a-z0-9+.-]*:\/\//, '');
}
