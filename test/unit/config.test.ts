// Config validation: every invalid value is rejected with a message naming field, value and what is allowed.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig, parseConfig } from '../../src/config/load';

const validBlob = { kind: 'blob', connectionString: 'UseDevelopmentStorage=true' };

function problemsOf(raw: unknown, env: NodeJS.ProcessEnv = {}): string {
  try {
    parseConfig(raw, { env });
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    return err.message;
  }
  assert.fail('config should have been rejected');
}

describe('config', () => {
  it('accepts a minimal config and fills defaults', () => {
    const config = parseConfig({ connections: { source: validBlob } });
    assert.equal(config.temporal.address, '127.0.0.1:7233');
    assert.equal(config.temporal.namespace, 'default');
    assert.equal(config.temporal.taskQueue, 'azbackup');
    // Derived from the cores: 4 activity slots and 8 sockets per account per core.
    assert.equal(config.worker.maxConcurrentActivityTaskExecutions, 4 * availableParallelism());
    assert.equal(config.worker.maxSocketsPerAccount, 8 * availableParallelism());
    assert.deepEqual([config.worker.maxCachedWorkflows, config.worker.heapGrowthPercent], [100, 50]);
  });

  const cases: [string, unknown, RegExp][] = [
    [
      'account key without account name',
      { connections: { source: { kind: 'blob', accountKey: 'abc' } } },
      /connections\.source\.accountName: is required with accountKey \(got nothing\)/,
    ],
    [
      'two authentication methods',
      { connections: { source: { ...validBlob, sasToken: 'sv=1' } } },
      /connections\.source: give exactly one way to authenticate \(found connectionString, sasToken\); allowed: connectionString \| accountName \+ accountKey/,
    ],
    [
      'SAS token without account URL',
      { connections: { source: { kind: 'blob', sasToken: 'sv=1' } } },
      /connections\.source\.accountUrl: is required with sasToken/,
    ],
    [
      'unknown connection kind',
      { connections: { source: { kind: 'blobb' } } },
      /connections\.source\.kind: .*Expected 'blob' \| 'cosmos' \| 'mongo' \| 'adf' \| 'queue' \(got "blobb"\)/,
    ],
    [
      'upper-case connection name',
      { connections: { Source: validBlob } },
      /connections\.Source: connection names are lowercase letters, digits and dashes.* \(got "Source"\)/,
    ],
    [
      'Temporal address without port',
      { temporal: { address: 'temporal.example.com' }, connections: {} },
      /temporal\.address: must be host:port, for example 127\.0\.0\.1:7233 \(got "temporal\.example\.com"\)/,
    ],
    [
      'misspelt setting',
      { temporal: { adress: 'x:1' }, connections: {} },
      /temporal\.adress: is not a known setting here/,
    ],
    [
      'Cosmos endpoint that is not a URL',
      { connections: { db: { kind: 'cosmos', endpoint: 'localhost', key: 'k' } } },
      /connections\.db\.endpoint: must be an absolute URL .* \(got <secret, 9 characters>\)/,
    ],
    [
      'ADF credential of the wrong shape',
      {
        connections: {
          adf: { kind: 'adf', subscriptionId: 's', resourceGroup: 'r', factoryName: 'f', credential: 'secret' },
        },
      },
      /connections\.adf\.credential: must be 'default' or \{ token: <bearer token> \}/,
    ],
    [
      'non-positive worker concurrency',
      { worker: { maxConcurrentActivityTaskExecutions: 0 }, connections: {} },
      /worker\.maxConcurrentActivityTaskExecutions: must be a whole number greater than 0 \(got 0\)/,
    ],
    [
      'connection string that is not one',
      { connections: { source: { kind: 'blob', connectionString: 'AccountKey=abc' } } },
      /connections\.source\.connectionString: is not a usable storage connection string: connection string has neither BlobEndpoint nor AccountName; expected 'DefaultEndpointsProtocol=https;AccountName=<name>;AccountKey=<key>.* \(got <secret, 14 characters>\)/,
    ],
    [
      'connection string with a malformed endpoint',
      { connections: { source: { kind: 'blob', connectionString: 'BlobEndpoint=not a url;AccountKey=abc' } } },
      /connections\.source\.connectionString: is not a usable storage connection string: Invalid URL/,
    ],
    [
      'CA file that does not exist',
      { connections: { db: { kind: 'cosmos', endpoint: 'https://127.0.0.1:8081', key: 'k', caFile: '/nope/ca.pem' } } },
      /connections\.db\.caFile: must be the path of a readable PEM file .* \(got <secret, 12 characters>\)/,
    ],
    [
      'missing required ADF field',
      { connections: { adf: { kind: 'adf', resourceGroup: 'r', factoryName: 'f', credential: 'default' } } },
      /connections\.adf\.subscriptionId: is required \(string\) \(got nothing\)/,
    ],
  ];
  for (const [name, raw, expected] of cases) {
    it(`rejects ${name}`, () => assert.match(problemsOf(raw), expected));
  }

  it('never prints a secret value, even in the field a problem is reported on', () => {
    const message = problemsOf({
      connections: {
        source: { kind: 'blob', connectionString: 'AccountKey=TOP-SECRET-KEY' },
      },
    });
    // The secret's own field is the one reported: a message that printed values would show it.
    assert.match(message, /connections\.source\.connectionString: is not a usable storage connection string/);
    assert.doesNotMatch(message, /TOP-SECRET-KEY/);
  });

  it('never prints a value inside a connection entry: a misspelled secret key, a token in the wrong field', () => {
    const message = problemsOf(
      {
        connections: {
          source: { kind: 'blob', accountName: 'acct', acountKey: 'MISSPELLED-SECRET' },
          backup: { kind: 'blob', accountUrl: 'sv=2024&sig=PASTED-SAS-SIG', credential: 'default' },
        },
      },
      { AZBACKUP__connections__other__accountKey: '123456789' },
    );
    assert.match(message, /connections\.source\.acountKey: is not a known setting/);
    assert.match(message, /connections\.backup\.accountUrl: must be an absolute URL/);
    assert.match(message, /connections\.other\./);
    for (const secret of ['MISSPELLED-SECRET', 'PASTED-SAS-SIG', '123456789'])
      assert.doesNotMatch(message, new RegExp(secret), `${secret} printed`);
  });

  it('applies AZBACKUP__ environment overrides and names the variable in errors', () => {
    const config = parseConfig(
      { connections: {} },
      {
        env: {
          AZBACKUP__temporal__address: 'temporal:7233',
          AZBACKUP__connections__backup__kind: 'blob',
          AZBACKUP__connections__backup__connectionString: 'UseDevelopmentStorage=true',
        },
      },
    );
    assert.equal(config.temporal.address, 'temporal:7233');
    assert.equal(config.connections.backup?.kind, 'blob');
    assert.match(
      problemsOf({ connections: {} }, { AZBACKUP__worker__maxConcurrentActivityTaskExecutions: '-3' }),
      /worker\.maxConcurrentActivityTaskExecutions: .* \(got -3 from AZBACKUP__worker__maxConcurrentActivityTaskExecutions\)/,
    );
  });

  it('loads YAML from the file named by AZBACKUP_CONFIG and reports unreadable files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'azb-config-'));
    const file = join(dir, 'azbackup.yaml');
    writeFileSync(
      file,
      'temporal:\n  taskQueue: nightly\nconnections:\n  source:\n    kind: blob\n    connectionString: UseDevelopmentStorage=true\n',
    );
    assert.equal(loadConfig({ env: { AZBACKUP_CONFIG: file } }).temporal.taskQueue, 'nightly');
    assert.throws(() => loadConfig({ file: join(dir, 'missing.yaml'), env: {} }), /missing\.yaml.*cannot be read/s);
    writeFileSync(file, 'connections: [unclosed');
    assert.throws(() => loadConfig({ file, env: {} }), /is not valid YAML or JSON/);
  });
});
