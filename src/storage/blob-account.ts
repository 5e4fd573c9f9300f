// One blob storage account reached through a named connection: its service client, plus read URLs
// for server-side copies from it (short-lived, read-only, one blob), whatever the credential kind.
import type { TokenCredential } from '@azure/core-auth';
import { DefaultAzureCredential } from '@azure/identity';
import {
  BlobSASPermissions,
  BlobServiceClient,
  generateBlobSASQueryParameters,
  StorageSharedKeyCredential,
  type BlobClient,
  type UserDelegationKey,
} from '@azure/storage-blob';
import type { BlobConnectionConfig } from '../config/schema';

export interface ReadUrlOptions {
  expiresInMs?: number;
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

  static fromConfig(connection: string, config: BlobConnectionConfig): BlobAccount {
    if (config.connectionString) {
      const service = BlobServiceClient.fromConnectionString(config.connectionString);
      const key = service.credential instanceof StorageSharedKeyCredential ? service.credential : undefined;
      return new BlobAccount(connection, service, key);
    }
    if (config.accountKey && config.accountName) {
      const key = new StorageSharedKeyCredential(config.accountName, config.accountKey);
      const url = config.accountUrl ?? `https://${config.accountName}.blob.core.windows.net`;
      return new BlobAccount(connection, new BlobServiceClient(url, key), key);
    }
    if (config.sasToken && config.accountUrl) {
      const sas = config.sasToken.replace(/^\?/, '');
      return new BlobAccount(connection, new BlobServiceClient(`${config.accountUrl}?${sas}`), undefined);
    }
    if (config.credential === 'default' && config.accountUrl) {
      const credential = new DefaultAzureCredential();
      return new BlobAccount(connection, new BlobServiceClient(config.accountUrl, credential), credential);
    }
    // The config schema rules this out; keep the guard for configs built in code.
    throw new Error(`connection ${JSON.stringify(connection)} has no usable blob credentials`);
  }

  /**
   * A URL another account can copy `blob` from: a read-only SAS for exactly that blob (or snapshot),
   * signed with the account key or a user delegation key. A SAS connection's own token is reused.
   */
  async readUrl(blob: BlobClient, options: ReadUrlOptions = {}): Promise<string> {
    const expiresInMs = options.expiresInMs ?? 60 * 60 * 1000;
    const startsOn = new Date(Date.now() - 5 * 60 * 1000); // tolerate clock skew
    const expiresOn = new Date(Date.now() + expiresInMs);
    const values = {
      containerName: blob.containerName,
      blobName: blob.name,
      snapshotTime: new URL(blob.url).searchParams.get('snapshot') ?? undefined,
      permissions: BlobSASPermissions.parse('r'),
      startsOn,
      expiresOn,
    };
    const url = new URL(blob.url);
    if (this.credential instanceof StorageSharedKeyCredential) {
      return withSas(url, generateBlobSASQueryParameters(values, this.credential).toString());
    }
    if (this.credential) {
      const key = await this.userDelegationKey(expiresOn, options.abortSignal);
      return withSas(url, generateBlobSASQueryParameters(values, key, this.accountName).toString());
    }
    return blob.url; // SAS connection: the token is already part of the URL
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

function withSas(url: URL, sas: string): string {
  // Keep `snapshot=` (if any) and replace any existing SAS parameters.
  const snapshot = url.searchParams.get('snapshot');
  url.search = snapshot ? `snapshot=${encodeURIComponent(snapshot)}&${sas}` : sas;
  return url.toString();
}
