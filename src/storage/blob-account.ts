// One blob storage account reached through a named connection: its service client, plus read URLs
// for server-side copies from it (short-lived, read-only, one blob), whatever the credential kind.
import type { TokenCredential } from '@azure/core-auth';
import {
  BlobSASPermissions,
  BlobServiceClient,
  generateBlobSASQueryParameters,
  newPipeline,
  StorageSharedKeyCredential,
  type BlobClient,
  type UserDelegationKey,
} from '@azure/storage-blob';
import type { BlobConnectionConfig } from '../config/schema';
import { parseConnectionString } from '../config/connection-string';
import { identitySdk } from '../lib/lazy-sdk';
import { addDecorators, type RequestDecorator } from './pipeline-policies';

export interface ReadUrlOptions {
  expiresInMs?: number;
  /** A snapshot of `blob` to read instead (cheaper than building a client for it with withSnapshot). */
  snapshot?: string;
  abortSignal?: AbortSignal;
}

export class BlobAccount {
  readonly accountName: string;
  private delegationKey: { key: UserDelegationKey; expiresOn: number } | undefined;

  constructor(
    /** The connection's name in config, e.g. `source`. */
    readonly connection: string,
    readonly service: BlobServiceClient,
    private readonly credential: StorageSharedKeyCredential | TokenCredential | undefined,
  ) {
    this.accountName = service.accountName;
  }

  /** Builds the client on our own pipeline, so `decorators` (rate limit, fault injection) see every request. */
  static fromConfig(
    connection: string,
    config: BlobConnectionConfig,
    decorators: RequestDecorator[] = [],
  ): BlobAccount {
    const { url, credential } = endpointAndCredential(connection, config);
    const pipeline = newPipeline(credential, {
      retryOptions: { maxTries: 6, retryDelayInMs: 500, maxRetryDelayInMs: 30_000 },
    });
    const service = new BlobServiceClient(url, pipeline);
    addDecorators(pipeline, decorators);
    return new BlobAccount(connection, service, credential);
  }

  /**
   * A URL another account can copy `blob` from: a read-only SAS for exactly that blob (or snapshot),
   * signed with the account key or a user delegation key. A SAS connection's own token is reused.
   */
  async readUrl(blob: BlobClient, options: ReadUrlOptions = {}): Promise<string> {
    const expiresInMs = options.expiresInMs ?? 60 * 60 * 1000;
    const startsOn = new Date(Date.now() - 5 * 60 * 1000); // tolerate clock skew
    const expiresOn = new Date(Date.now() + expiresInMs);
    const url = new URL(blob.url);
    const snapshot = options.snapshot ?? url.searchParams.get('snapshot') ?? undefined;
    const values = {
      containerName: blob.containerName,
      blobName: blob.name,
      snapshotTime: snapshot,
      permissions: READ_ONLY,
      startsOn,
      expiresOn,
    };
    if (this.credential instanceof StorageSharedKeyCredential) {
      return withSas(url, snapshot, generateBlobSASQueryParameters(values, this.credential).toString());
    }
    if (this.credential) {
      const key = await this.userDelegationKey(expiresOn, options.abortSignal);
      return withSas(url, snapshot, generateBlobSASQueryParameters(values, key, this.accountName).toString());
    }
    // SAS connection: the token is already part of the URL.
    if (snapshot) url.searchParams.set('snapshot', snapshot);
    return url.toString();
  }

  private async userDelegationKey(until: Date, abortSignal?: AbortSignal): Promise<UserDelegationKey> {
    if (this.delegationKey && this.delegationKey.expiresOn > until.getTime()) return this.delegationKey.key;
    const startsOn = new Date(Date.now() - 5 * 60 * 1000);
    const expiresOn = new Date(Math.max(until.getTime(), Date.now() + 6 * 3600 * 1000));
    const key = await this.service.getUserDelegationKey(startsOn, expiresOn, { abortSignal });
    this.delegationKey = { key, expiresOn: expiresOn.getTime() };
    return key;
  }
}

const READ_ONLY = BlobSASPermissions.parse('r');

function withSas(url: URL, snapshot: string | undefined, sas: string): string {
  // Keep `snapshot=` (if any) and replace any existing SAS parameters.
  url.search = snapshot ? `snapshot=${encodeURIComponent(snapshot)}&${sas}` : sas;
  return url.toString();
}

/** The account's blob endpoint as configured, without any SAS: it names the account, not the connection. */
export function blobEndpoint(connection: string, config: BlobConnectionConfig): string {
  if (config.connectionString) return parseConnectionString(config.connectionString).blobEndpoint;
  if (config.accountKey && config.accountName)
    return config.accountUrl ?? `https://${config.accountName}.blob.core.windows.net`;
  if ((config.sasToken || config.credential === 'default') && config.accountUrl) return config.accountUrl;
  // The config schema rules this out; keep the guard for configs built in code.
  throw new Error(`connection ${JSON.stringify(connection)} has no usable blob credentials`);
}

function endpointAndCredential(
  connection: string,
  config: BlobConnectionConfig,
): { url: string; credential: StorageSharedKeyCredential | TokenCredential | undefined } {
  const endpoint = blobEndpoint(connection, config);
  if (config.connectionString) {
    const parsed = parseConnectionString(config.connectionString);
    if (parsed.accountKey) {
      return { url: endpoint, credential: new StorageSharedKeyCredential(parsed.accountName, parsed.accountKey) };
    }
    return { url: `${endpoint}?${parsed.sasToken}`, credential: undefined };
  }
  if (config.accountKey && config.accountName) {
    return { url: endpoint, credential: new StorageSharedKeyCredential(config.accountName, config.accountKey) };
  }
  if (config.sasToken) return { url: `${endpoint}?${config.sasToken.replace(/^\?/, '')}`, credential: undefined };
  return { url: endpoint, credential: new (identitySdk().DefaultAzureCredential)() };
}
