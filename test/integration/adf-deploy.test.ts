// Deploying azbackup's ADF resources (adf/) with the real @azure/arm-datafactory client against the stand-in:
// a first deploy creates every linked service, dataset and pipeline, a second one finds them all unchanged
// and writes nothing; what reaches the factory is exactly the JSON in adf/ (read back raw over HTTPS) with
// the accounts' endpoints as parameter defaults and no credential anywhere; a changed account updates only
// what names it; bad settings are refused before anything is written; the activity and the CLI deploy from
// the worker's connection names, and refuse a name that is not a connection of the right kind.
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { after, before, describe, it } from 'node:test';
import { startLocalStandin, type LocalStandin } from '../../dev/adf-standin/test-client';
import { createAdfActivities } from '../../src/activities/adf';
import { DEFINITIONS, type ArmResourceJson } from '../../src/adf/definitions';
import { deployPipelines, type DeployPipelinesOptions, type DeployPipelinesResult } from '../../src/adf/deploy';
import { UsageError } from '../../src/cli/cli-options';
import { runAdfCommand } from '../../src/cli/adf-command';
import type { AdfConnectionConfig, BlobConnectionConfig, Config } from '../../src/config/schema';
import { accountEndpoint } from '../../src/domain/account-url';
import { blobEndpoint } from '../../src/storage/blob-account';
import { ConnectionRegistry } from '../../src/storage/connections';
import type { DataFactoryTarget } from '../../src/storage/data-factory';
import { stackConfig, stackInfo, uniqueName } from '../support/stack';

const ALL = [DEFINITIONS.blob, DEFINITIONS.cosmos, DEFINITIONS.mongo];
const count = (parts: typeof ALL) =>
  parts.reduce((n, p) => n + p.linkedService.length + p.dataset.length + p.pipeline.length, 0);

describe('deploying the ADF pipelines', () => {
  let standin: LocalStandin;
  let shared: AdfConnectionConfig;
  let config: Config;
  const endpointOf = (name: string) =>
    accountEndpoint(blobEndpoint(name, config.connections[name] as BlobConnectionConfig));

  before(async () => {
    config = stackConfig();
    shared = config.connections.adf as AdfConnectionConfig;
    standin = await startLocalStandin({ config: stackInfo().config, caFile: shared.caFile! });
  });
  after(() => standin.close());

  /** A factory of its own on the stand-in, through the registry as the worker builds it. */
  function factoryConnections(factory = uniqueName('adf-deploy')) {
    const connections = new ConnectionRegistry({
      ...config.connections,
      adf: { ...shared, endpoint: standin.url, factoryName: factory },
    });
    return { factory, connections, target: connections.dataFactory('adf') };
  }

  const everything = (): DeployPipelinesOptions => ({
    sourceEndpoint: endpointOf('source'),
    backupEndpoint: endpointOf('backup'),
    cosmosEndpoint: accountEndpoint((config.connections.cosmos as { endpoint: string }).endpoint),
    mongo: { keyVaultUrl: 'https://azbackup-dev.vault.azure.net/', secretName: 'mongo' },
  });

  /** The resource as the factory stores it: the raw ARM JSON, not the SDK's model. */
  function raw(target: DataFactoryTarget, kind: string, name: string): Promise<ArmResourceJson & { etag: string }> {
    const path =
      `/subscriptions/${shared.subscriptionId}/resourceGroups/${target.resourceGroup}/providers/Microsoft.DataFactory` +
      `/factories/${target.factoryName}/${kind}/${name}?api-version=2018-06-01`;
    return new Promise((resolve, reject) => {
      request(
        new URL(path, standin.url),
        { ca: readFileSync(shared.caFile!), headers: { authorization: 'Bearer test' } },
        (res) => {
          let body = '';
          res.on('data', (d) => (body += d));
          res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(body)) : reject(new Error(body))));
        },
      )
        .on('error', reject)
        .end();
    });
  }

  it('creates everything once, then finds it all unchanged and writes nothing', async () => {
    const { target, connections } = factoryConnections();
    const first = await deployPipelines(target, everything());
    assert.equal(first.created, count(ALL));
    assert.equal(first.updated + first.unchanged, 0);
    assert.deepEqual(first.pipelines.sort(), [
      'azbackup-copy-blobs',
      'azbackup-copy-prefix',
      'azbackup-cosmos-window',
      'azbackup-mongo-window',
    ]);
    const etags = await Promise.all(
      first.resources.map((r) => raw(target, kindPath(r.kind), r.name).then((x) => x.etag)),
    );
    const second = await deployPipelines(target, everything());
    assert.equal(
      second.unchanged,
      count(ALL),
      JSON.stringify(second.resources.filter((r) => r.outcome !== 'unchanged')),
    );
    assert.equal(second.created + second.updated, 0);
    const after = await Promise.all(
      second.resources.map((r) => raw(target, kindPath(r.kind), r.name).then((x) => x.etag)),
    );
    assert.deepEqual(after, etags, 'nothing was written again');
    connections.close();
  });

  it('sends exactly the JSON of adf/, with the endpoints as defaults and no credential', async () => {
    const { target, connections } = factoryConnections();
    const options = everything();
    await deployPipelines(target, options);
    for (const part of ALL) {
      for (const kind of ['linkedService', 'dataset', 'pipeline'] as const) {
        for (const definition of part[kind] as ArmResourceJson[]) {
          const stored = await raw(target, kindPath(kind), definition.name);
          const expected = JSON.parse(JSON.stringify(definition.properties)) as Record<string, unknown>;
          if (kind === 'pipeline') {
            const parameters = expected.parameters as Record<string, { defaultValue?: string }>;
            for (const [name, value] of Object.entries({
              sourceEndpoint: options.sourceEndpoint,
              backupEndpoint: options.backupEndpoint,
              cosmosEndpoint: options.cosmosEndpoint,
              connectionStringSecret: 'mongo',
            }))
              if (parameters[name]) parameters[name].defaultValue = value;
          }
          if (definition.name === 'azbackup-keyvault')
            (expected.typeProperties as { baseUrl: string }).baseUrl = options.mongo!.keyVaultUrl;
          assert.deepEqual(stored.properties, expected, `${kind} ${definition.name} as the factory holds it`);
        }
      }
    }
    // The stack's connections hold keys; none of them may reach the factory.
    const everythingStored = JSON.stringify(
      await Promise.all(
        ALL.flatMap((p) =>
          (['linkedService', 'dataset', 'pipeline'] as const).flatMap((k) =>
            (p[k] as ArmResourceJson[]).map((d) => raw(target, kindPath(k), d.name)),
          ),
        ),
      ),
    );
    assert.doesNotMatch(everythingStored, /AccountKey|accountKey|SharedAccessSignature|sig=|C2y6yDjf5/);
    connections.close();
  });

  it('updates only what a changed account or a new source names', async () => {
    const { target, connections } = factoryConnections();
    await deployPipelines(target, { sourceEndpoint: endpointOf('source'), backupEndpoint: endpointOf('backup') });
    const withCosmos = await deployPipelines(target, {
      sourceEndpoint: endpointOf('source'),
      backupEndpoint: endpointOf('backup'),
      cosmosEndpoint: everything().cosmosEndpoint,
    });
    assert.deepEqual(
      withCosmos.resources.filter((r) => r.outcome !== 'unchanged').map((r) => `${r.outcome} ${r.name}`),
      ['created azbackup-cosmos', 'created azbackup-cosmos-collection', 'created azbackup-cosmos-window'],
    );
    const otherBackup = await deployPipelines(target, {
      sourceEndpoint: endpointOf('source'),
      backupEndpoint: endpointOf('devstore'),
    });
    assert.deepEqual(
      otherBackup.resources.filter((r) => r.outcome !== 'unchanged').map((r) => `${r.outcome} ${r.name}`),
      ['updated azbackup-copy-blobs', 'updated azbackup-copy-prefix'],
    );
    const pipeline = await target.client.pipelines.get(target.resourceGroup, target.factoryName, 'azbackup-copy-blobs');
    assert.equal(pipeline.parameters?.backupEndpoint?.defaultValue, endpointOf('devstore'));
    connections.close();
  });

  it('refuses endpoints with credentials and bad secret names before writing anything', async () => {
    const { target, connections, factory } = factoryConnections();
    const err = await deployPipelines(target, {
      sourceEndpoint: 'https://acct.blob.core.windows.net/?sv=2024&sig=SECRETSIG',
      backupEndpoint: 'not a url',
      mongo: { keyVaultUrl: 'https://v.vault.azure.net/', secretName: 'bad name!' },
    }).catch((e: unknown) => e);
    assert.ok(err instanceof Error);
    assert.match(err.message, /sourceEndpoint must name an endpoint only/);
    assert.match(err.message, /backupEndpoint must be an absolute URL/);
    assert.match(err.message, /mongo\.secretName must be a Key Vault secret name/);
    assert.doesNotMatch(err.message, /SECRETSIG/, 'a SAS is never repeated in a message');
    const listed = await target.client.pipelines
      .get(target.resourceGroup, factory, 'azbackup-copy-blobs')
      .catch((e: unknown) => e);
    assert.equal((listed as { statusCode?: number }).statusCode, 404, 'nothing was deployed');
    connections.close();
  });

  it('deploys from connection names through the activity, refusing a wrong name for good', async () => {
    const { factory, connections } = factoryConnections();
    const activities = createAdfActivities(connections);
    const env = new MockActivityEnvironment({}, { logger: new DefaultLogger('ERROR') });
    const result = (await env.run(activities.deployAdfPipelines, {
      adf: 'adf',
      source: 'source',
      backup: 'backup',
      cosmos: 'cosmos',
      mongo: { connection: 'mongo', keyVaultUrl: 'https://azbackup-dev.vault.azure.net/' },
    })) as DeployPipelinesResult;
    assert.equal(result.created, count(ALL));
    const mongo = await connections
      .dataFactory('adf')
      .client.pipelines.get(connections.dataFactory('adf').resourceGroup, factory, 'azbackup-mongo-window');
    assert.equal(
      mongo.parameters?.connectionStringSecret?.defaultValue,
      'mongo',
      'the secret is named like the connection',
    );
    for (const [bad, field] of [
      [{ adf: 'adf', source: 'cosmos', backup: 'backup' }, 'source'],
      [{ adf: 'adf', source: 'source', backup: 'nope' }, 'backup'],
      [{ adf: 'backup', source: 'source', backup: 'backup' }, 'adf'],
    ] as const) {
      const err = await new MockActivityEnvironment({}, { logger: new DefaultLogger('ERROR') })
        .run(activities.deployAdfPipelines, bad)
        .catch((e: unknown) => e);
      assert.ok(err instanceof ApplicationFailure, String(err));
      assert.equal(err.type, 'UnknownConnection');
      assert.equal(err.nonRetryable, true);
      assert.match(err.message, new RegExp(`^${field}: `));
    }
    connections.close();
  });

  it('deploys from the CLI with the config file, and names the flag of a bad connection', async () => {
    const factory = uniqueName('adf-cli');
    const previous = process.env.AZBACKUP_CONFIG;
    // A config whose adf connection is this factory on this stand-in.
    const file = `${standin.configFile}.cli.json`;
    const raw = stackInfo().config;
    writeFileSync(
      file,
      JSON.stringify({
        ...raw,
        connections: {
          ...raw.connections,
          adf: { ...raw.connections.adf, endpoint: standin.url, factoryName: factory },
        },
      }),
    );
    process.env.AZBACKUP_CONFIG = file;
    const log = console.log;
    const printed: string[] = [];
    console.log = (...args: unknown[]) => void printed.push(args.join(' '));
    try {
      assert.equal(await runAdfCommand(['deploy', '--adf', 'adf', '--source', 'source', '--backup', 'backup']), 0);
      assert.equal(await runAdfCommand(['deploy', '--adf', 'adf', '--source', 'source', '--backup', 'backup']), 0);
      await assert.rejects(
        runAdfCommand(['deploy', '--adf', 'adf', '--source', 'cosmos', '--backup', 'backup']),
        (e: unknown) =>
          e instanceof UsageError && /^--source: connection "cosmos" is a cosmos connection/.test(e.message),
      );
      await assert.rejects(
        runAdfCommand(['deploy', '--adf', 'adf', '--source', 'source', '--backup', 'backup', '--mongo', 'mongo']),
        /--mongo needs --key-vault/,
      );
    } finally {
      console.log = log;
      process.env.AZBACKUP_CONFIG = previous;
    }
    const created = count([DEFINITIONS.blob]);
    assert.ok(
      printed.includes(
        `Factory ${factory}: ${created} created, 0 updated, 0 unchanged. Pipelines: azbackup-copy-blobs, azbackup-copy-prefix.`,
      ),
      printed.join('\n'),
    );
    assert.ok(
      printed.includes(
        `Factory ${factory}: 0 created, 0 updated, ${created} unchanged. Pipelines: azbackup-copy-blobs, azbackup-copy-prefix.`,
      ),
      printed.join('\n'),
    );
    assert.ok(printed.some((l) => /^unchanged\s+pipeline\s+azbackup-copy-blobs$/.test(l)));
  });
});

function kindPath(kind: string): string {
  return { linkedService: 'linkedservices', dataset: 'datasets', pipeline: 'pipelines' }[kind]!;
}
