// The worker's encryption keys: resolves a key name (what workflows and the catalog carry) to its
// material, from the environment, a file or Azure Key Vault, once per name. Misconfiguration is a
// KeyConfigError naming the key and where it was looked for; a failed lookup is not cached, so a retry
// after a transient Key Vault error can succeed.
import type { TokenCredential } from '@azure/core-auth';
import type { SecretClient, SecretClientOptions } from '@azure/keyvault-secrets';
import { readFile } from 'node:fs/promises';
import { EncryptionKey } from './encryption-key';
import { KeyConfigError } from './errors';
import type { KeysConfig, KeySource } from '../config/key-config';
import { decodeKeyMaterial } from './key-material';
import { keyVaultSdk } from '../lib/lazy-sdk';

export interface ResolveKeyOptions {
  abortSignal?: AbortSignal;
}

export interface KeyResolver {
  resolve(name: string, options?: ResolveKeyOptions): Promise<EncryptionKey>;
}

export interface KeyRingOptions {
  /** Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** For `keyvault` keys; in production DefaultAzureCredential. */
  credential?: TokenCredential;
  /** Passed to every SecretClient (tests give an `httpClient` that answers without a network). */
  secretClientOptions?: SecretClientOptions;
}

export class KeyRing implements KeyResolver {
  private readonly resolved = new Map<string, Promise<EncryptionKey>>();
  private readonly secretClients = new Map<string, SecretClient>();

  constructor(
    private readonly keys: KeysConfig,
    private readonly options: KeyRingOptions = {},
  ) {}

  names(): string[] {
    return Object.keys(this.keys);
  }

  resolve(name: string, options: ResolveKeyOptions = {}): Promise<EncryptionKey> {
    let key = this.resolved.get(name);
    if (!key) {
      key = this.load(name, options);
      this.resolved.set(name, key);
      key.catch(() => this.resolved.delete(name));
    }
    return key;
  }

  private async load(name: string, options: ResolveKeyOptions): Promise<EncryptionKey> {
    const source = Object.hasOwn(this.keys, name) ? this.keys[name] : undefined;
    if (!source) {
      const configured = this.names();
      throw new KeyConfigError(
        name,
        `unknown encryption key name ${name}; configured: ${configured.length ? configured.join(', ') : '(none)'}`,
      );
    }
    const { origin, text } = await this.read(name, source, options);
    return new EncryptionKey(name, decodeKeyMaterial(name, origin, text));
  }

  private async read(
    name: string,
    source: KeySource,
    options: ResolveKeyOptions,
  ): Promise<{ origin: string; text: string }> {
    switch (source.source) {
      case 'env': {
        const origin = `env ${source.variable}`;
        const text = (this.options.env ?? process.env)[source.variable];
        if (text === undefined) throw new KeyConfigError(name, `key ${name} from ${origin}: the variable is not set`);
        return { origin, text };
      }
      case 'file': {
        const origin = `file ${source.path}`;
        try {
          return { origin, text: await readFile(source.path, { encoding: 'utf8', signal: options.abortSignal }) };
        } catch (err) {
          if (options.abortSignal?.aborted) throw err;
          throw new KeyConfigError(name, `key ${name} from ${origin} cannot be read: ${(err as Error).message}`);
        }
      }
      case 'keyvault':
        return this.readSecret(name, source, options);
    }
  }

  private async readSecret(
    name: string,
    source: Extract<KeySource, { source: 'keyvault' }>,
    options: ResolveKeyOptions,
  ): Promise<{ origin: string; text: string }> {
    const origin = `Key Vault secret ${source.secretName}${source.version ? `/${source.version}` : ''} in ${source.vaultUrl}`;
    if (!this.options.credential) {
      throw new KeyConfigError(name, `key ${name} is in Key Vault, but this worker was given no Azure credential`);
    }
    let client = this.secretClients.get(source.vaultUrl);
    if (!client) {
      client = new (keyVaultSdk().SecretClient)(
        source.vaultUrl,
        this.options.credential,
        this.options.secretClientOptions,
      );
      this.secretClients.set(source.vaultUrl, client);
    }
    let value: string | undefined;
    try {
      ({ value } = await client.getSecret(source.secretName, {
        version: source.version,
        abortSignal: options.abortSignal,
      }));
    } catch (err) {
      // Not found or forbidden will not change on retry; anything else (network, throttling) might.
      const status = (err as { statusCode?: number }).statusCode;
      if (status === 404 || status === 403) {
        throw new KeyConfigError(name, `key ${name} from ${origin}: ${status} ${(err as Error).message}`);
      }
      throw err;
    }
    if (value === undefined) throw new KeyConfigError(name, `key ${name} from ${origin}: the secret has no value`);
    return { origin, text: value };
  }
}
