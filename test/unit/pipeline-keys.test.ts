// Encryption keys: the `keys` config section, resolving a name to its 32 bytes from env, file or Key
// Vault (the real SecretClient, answered by a stub HTTP client and credential), the errors a person can
// act on, caching, and that key material never shows up in logs, JSON or error messages.
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import {
  createHttpHeaders,
  type HttpClient,
  type PipelineRequest,
  type PipelineResponse,
} from '@azure/core-rest-pipeline';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { after, describe, it } from 'node:test';
import { EncryptionKey } from '../../src/pipeline/encryption-key';
import { KeyConfigError } from '../../src/pipeline/errors';
import { keysConfigSchema, type KeysConfig } from '../../src/config/key-config';
import { decodeKeyMaterial } from '../../src/pipeline/key-material';
import { KeyRing } from '../../src/pipeline/key-ring';

const material = randomBytes(32);
const dir = mkdtempSync(join(tmpdir(), 'azbackup-keys-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('keys config', () => {
  it('accepts env, file and Key Vault sources', () => {
    const parsed = keysConfigSchema.parse({
      prod: { source: 'env', variable: 'AZBACKUP_KEY_PROD' },
      local: { source: 'file', path: '/etc/azbackup/key' },
      vault: { source: 'keyvault', vaultUrl: 'https://my-vault.vault.azure.net', secretName: 'backup-key' },
      pinned: { source: 'keyvault', vaultUrl: 'https://v.vault.azure.net/', secretName: 'k', version: 'abc123' },
    });
    assert.deepEqual(Object.keys(parsed), ['prod', 'local', 'vault', 'pinned']);
  });

  const invalid: [string, unknown, string, RegExp][] = [
    ['a name with capitals', { Prod: { source: 'env', variable: 'X' } }, 'Prod', /key names are lowercase letters/],
    [
      'an unknown source',
      { prod: { source: 'vault', path: 'x' } },
      'prod.source',
      /source must be 'env', 'file' or 'keyvault'/,
    ],
    ['an env source without a variable', { prod: { source: 'env' } }, 'prod.variable', /expected string/],
    [
      'a variable name with a space',
      { prod: { source: 'env', variable: 'MY KEY' } },
      'prod.variable',
      /environment variable name/,
    ],
    ['an empty file path', { prod: { source: 'file', path: '' } }, 'prod.path', /must not be empty/],
    [
      'a Key Vault URL over http',
      { prod: { source: 'keyvault', vaultUrl: 'http://v.vault.azure.net', secretName: 'k' } },
      'prod.vaultUrl',
      /must be the vault URL/,
    ],
    [
      'a secret name Key Vault would refuse',
      { prod: { source: 'keyvault', vaultUrl: 'https://v.vault.azure.net', secretName: 'my_key' } },
      'prod.secretName',
      /Key Vault secret name/,
    ],
    [
      'the key material itself in config',
      { prod: { source: 'env', variable: 'X', key: material.toString('base64') } },
      'prod',
      /Unrecognized key: "key"/,
    ],
  ];
  for (const [name, config, path, message] of invalid) {
    it(`rejects ${name}, naming ${path}`, () => {
      const result = keysConfigSchema.safeParse(config);
      assert.ok(!result.success);
      const issue = result.error.issues[0]!;
      assert.equal(issue.path.join('.'), path);
      // A bad record key carries its reason inside, where config/load.ts reads it from.
      assert.match(issue.code === 'invalid_key' ? issue.issues[0]!.message : issue.message, message);
    });
  }
});

describe('key material', () => {
  const ok: [string, string][] = [
    ['base64', material.toString('base64')],
    ['hex', material.toString('hex')],
    ['upper-case hex', material.toString('hex').toUpperCase()],
    ['base64url', material.toString('base64url')],
    ['base64 with a trailing newline', `${material.toString('base64')}\n`],
  ];
  for (const [name, text] of ok) {
    it(`decodes ${name}`, () => {
      assert.ok(decodeKeyMaterial('prod', 'env X', text).equals(material));
    });
  }

  const bad: [string, string, string][] = [
    ['16 bytes of base64', randomBytes(16).toString('base64'), 'key prod from env X is 16 bytes, need 32'],
    ['16 bytes of hex', randomBytes(16).toString('hex'), 'key prod from env X is 16 bytes, need 32'],
    ['33 bytes', randomBytes(33).toString('base64'), 'key prod from env X is 33 bytes, need 32'],
    ['text that is neither', 'not a key!', 'key prod from env X is neither base64 nor hex'],
    ['whitespace only', '  \n', 'key prod from env X is empty'],
  ];
  for (const [name, text, message] of bad) {
    it(`rejects ${name} without printing it`, () => {
      assert.throws(
        () => decodeKeyMaterial('prod', 'env X', text),
        (err: unknown) =>
          err instanceof KeyConfigError &&
          err.message === message &&
          (!text.trim() || !err.message.includes(text.trim())),
      );
    });
  }
});

describe('KeyRing', () => {
  const keyFile = join(dir, 'key');
  writeFileSync(keyFile, `${material.toString('hex')}\n`);
  const config: KeysConfig = {
    prod: { source: 'env', variable: 'AZBACKUP_KEY_PROD' },
    short: { source: 'env', variable: 'AZBACKUP_KEY_SHORT' },
    unset: { source: 'env', variable: 'AZBACKUP_KEY_UNSET' },
    local: { source: 'file', path: keyFile },
    missing: { source: 'file', path: join(dir, 'no-such-key') },
    vault: { source: 'keyvault', vaultUrl: 'https://my-vault.vault.azure.net', secretName: 'backup-key' },
  };
  const env = {
    AZBACKUP_KEY_PROD: material.toString('base64'),
    AZBACKUP_KEY_SHORT: randomBytes(16).toString('base64'),
  };

  it('resolves a name from the environment to its id and 32 bytes', async () => {
    const key = await new KeyRing(config, { env }).resolve('prod');
    assert.equal(key.id, 'prod');
    assert.ok(key.key.equals(material));
  });

  it('resolves a name from a file', async () => {
    const key = await new KeyRing(config, { env }).resolve('local');
    assert.ok(key.key.equals(material));
  });

  const errors: [string, string, string][] = [
    [
      'an unknown name',
      'nope',
      'unknown encryption key name nope; configured: prod, short, unset, local, missing, vault',
    ],
    [
      'a name inherited from Object',
      'constructor',
      'unknown encryption key name constructor; configured: prod, short, unset, local, missing, vault',
    ],
    ['a key of the wrong length', 'short', 'key short from env AZBACKUP_KEY_SHORT is 16 bytes, need 32'],
    ['an unset variable', 'unset', 'key unset from env AZBACKUP_KEY_UNSET: the variable is not set'],
    ['a missing file', 'missing', `key missing from file ${join(dir, 'no-such-key')} cannot be read: `],
    [
      'a Key Vault key without a credential',
      'vault',
      'key vault is in Key Vault, but this worker was given no Azure credential',
    ],
  ];
  for (const [name, keyName, message] of errors) {
    it(`fails clearly for ${name}`, async () => {
      await assert.rejects(
        new KeyRing(config, { env }).resolve(keyName),
        (err: unknown) => err instanceof KeyConfigError && err.keyName === keyName && err.message.startsWith(message),
      );
    });
  }

  it('reads each key once: later resolves return the cached key', async () => {
    const mutableEnv: NodeJS.ProcessEnv = { ...env };
    const ring = new KeyRing(config, { env: mutableEnv });
    const first = await ring.resolve('prod');
    mutableEnv.AZBACKUP_KEY_PROD = randomBytes(32).toString('base64');
    assert.equal(await ring.resolve('prod'), first);
  });

  it('does not cache a failure: fixing the environment lets the next resolve succeed', async () => {
    const mutableEnv: NodeJS.ProcessEnv = {};
    const ring = new KeyRing(config, { env: mutableEnv });
    await assert.rejects(ring.resolve('unset'), KeyConfigError);
    mutableEnv.AZBACKUP_KEY_UNSET = material.toString('hex');
    assert.ok((await ring.resolve('unset')).key.equals(material));
  });

  it('never shows the material when a key is logged or serialised', async () => {
    const key = await new KeyRing(config, { env }).resolve('prod');
    const shown = [
      inspect(key),
      inspect({ nested: { key } }, { depth: 5 }),
      JSON.stringify(key),
      String(Object.keys(key)),
    ];
    for (const text of shown) {
      for (const encoding of ['base64', 'hex'] as const) assert.ok(!text.includes(material.toString(encoding)), text);
      assert.ok(!/<Buffer/.test(text), text);
    }
    assert.equal(inspect(key), 'EncryptionKey("prod")');
  });

  it('refuses material of the wrong size for a key object', () => {
    assert.throws(() => new EncryptionKey('k', randomBytes(31)), /is 31 bytes, need 32/);
    assert.throws(() => new EncryptionKey('', randomBytes(32)), /key id must be 1 to 255 bytes/);
  });
});

describe('KeyRing with Key Vault (the real SecretClient, stub HTTP and credential)', () => {
  const vaultUrl = 'https://my-vault.vault.azure.net';

  /** Answers like Key Vault: a 401 challenge without a token, then the secret (or a 404) with one. */
  function stubVault(secrets: Record<string, string>) {
    const requests: PipelineRequest[] = [];
    const tokens: string[][] = [];
    const credential: TokenCredential = {
      async getToken(scopes): Promise<AccessToken> {
        tokens.push(([] as string[]).concat(scopes));
        return { token: 'stub-token', expiresOnTimestamp: Date.now() + 3600_000 };
      },
    };
    const httpClient: HttpClient = {
      async sendRequest(request): Promise<PipelineResponse> {
        requests.push(request);
        const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => ({
          request,
          status,
          headers: createHttpHeaders({ 'content-type': 'application/json; charset=utf-8', ...headers }),
          bodyAsText: JSON.stringify(body),
        });
        if (!request.headers.get('authorization')) {
          return reply(
            401,
            { error: { code: 'Unauthorized', message: 'AKV10000: Request is missing a Bearer token.' } },
            {
              'www-authenticate':
                'Bearer authorization="https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000", resource="https://vault.azure.net"',
            },
          );
        }
        const [, , name, version = ''] = new URL(request.url).pathname.split('/');
        const value = secrets[`${name}/${version}`];
        if (value === undefined) {
          return reply(404, {
            error: {
              code: 'SecretNotFound',
              message: `A secret with (name/id) ${name} was not found in this key vault.`,
            },
          });
        }
        return reply(200, {
          value,
          id: `${vaultUrl}/secrets/${name}/${version || '0123456789abcdef0123456789abcdef'}`,
          attributes: {
            enabled: true,
            created: 1_700_000_000,
            updated: 1_700_000_000,
            recoveryLevel: 'Recoverable+Purgeable',
          },
          tags: {},
        });
      },
    };
    return { requests, tokens, credential, secretClientOptions: { httpClient, retryOptions: { maxRetries: 0 } } };
  }

  const config: KeysConfig = {
    current: { source: 'keyvault', vaultUrl, secretName: 'backup-key' },
    pinned: { source: 'keyvault', vaultUrl, secretName: 'backup-key', version: 'v1' },
    gone: { source: 'keyvault', vaultUrl, secretName: 'deleted-key' },
    weak: { source: 'keyvault', vaultUrl, secretName: 'weak-key' },
  };
  const secrets = {
    'backup-key/': material.toString('base64'),
    'backup-key/v1': material.toString('hex'),
    'weak-key/': randomBytes(16).toString('base64'),
  };

  it('reads the secret with a bearer token from the given credential and decodes it', async () => {
    const vault = stubVault(secrets);
    const key = await new KeyRing(config, vault).resolve('current');
    assert.equal(key.id, 'current');
    assert.ok(key.key.equals(material));
    const get = vault.requests.at(-1)!;
    assert.equal(get.method, 'GET');
    const url = new URL(get.url);
    assert.equal(url.origin, vaultUrl);
    assert.match(url.pathname, /^\/secrets\/backup-key\/?$/);
    assert.ok(url.searchParams.has('api-version'));
    assert.equal(get.headers.get('authorization'), 'Bearer stub-token');
    assert.deepEqual(vault.tokens, [['https://vault.azure.net/.default']]);
  });

  it('asks for the pinned version', async () => {
    const vault = stubVault(secrets);
    const key = await new KeyRing(config, vault).resolve('pinned');
    assert.ok(key.key.equals(material));
    assert.equal(new URL(vault.requests.at(-1)!.url).pathname, '/secrets/backup-key/v1');
  });

  it('fetches once per key: a second resolve sends no request', async () => {
    const vault = stubVault(secrets);
    const ring = new KeyRing(config, vault);
    await ring.resolve('current');
    const sent = vault.requests.length;
    await ring.resolve('current');
    assert.equal(vault.requests.length, sent);
  });

  it('a missing secret is a KeyConfigError naming the key, secret and vault', async () => {
    const vault = stubVault(secrets);
    await assert.rejects(
      new KeyRing(config, vault).resolve('gone'),
      (err: unknown) =>
        err instanceof KeyConfigError &&
        err.message.startsWith(
          `key gone from Key Vault secret deleted-key in ${vaultUrl}: 404 A secret with (name/id) deleted-key was not found`,
        ),
    );
  });

  it('a secret of the wrong length says so, without the value', async () => {
    const vault = stubVault(secrets);
    await assert.rejects(
      new KeyRing(config, vault).resolve('weak'),
      (err: unknown) =>
        err instanceof KeyConfigError &&
        err.message === `key weak from Key Vault secret weak-key in ${vaultUrl} is 16 bytes, need 32` &&
        !err.message.includes(secrets['weak-key/']),
    );
  });
});
