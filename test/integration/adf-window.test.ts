// The window exports of adf/, deployed with deployPipelines and run with runAdfPipeline on the ADF stand-in,
// which performs them on the stack: azbackup-cosmos-window writes exactly the documents of a `_ts` window
// (bounds from cosmosTsBounds; documents written a second and more apart, their `_ts` read back) to the
// backup account as NDJSON, system properties included; azbackup-mongo-window, its connection string read
// from the stand-in's Key Vault by the secret a deploy names, writes exactly the documents of an ObjectId
// window (the filter mongoWindowFilterJson gives, boundary seconds included) as canonical Extended JSON
// lines, every BSON type kept (Int32 vs Double vs Long, Date, Binary; FerretDB has no Decimal128), and no string `_id`.
import type { ContainerClient } from '@azure/storage-blob';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { BSON, Binary, Double, Int32, Long, ObjectId, type Document } from 'mongodb';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { startLocalStandin, type LocalStandin } from '../../dev/adf-standin/test-client';
import { createAdfActivities } from '../../src/activities/adf';
import { deployPipelines } from '../../src/adf/deploy';
import { deploySettings } from '../../src/adf/deploy-settings';
import { ADF_PIPELINES, type CosmosWindowParameters, type MongoWindowParameters } from '../../src/adf/pipelines';
import type { AdfRunResult } from '../../src/adf/run-pipeline';
import type { AdfConnectionConfig } from '../../src/config/schema';
import { mongoWindowFilterJson, objectIdWindow } from '../../src/domain/objectid-windows';
import { cosmosTsBounds } from '../../src/domain/time-windows';
import { ConnectionRegistry } from '../../src/storage/connections';
import { stackConfig, stackInfo, uniqueName } from '../support/stack';

const { EJSON } = BSON;

describe('ADF window exports performed by the stand-in', () => {
  let standin: LocalStandin;
  let connections: ConnectionRegistry;
  let activities: ReturnType<typeof createAdfActivities>;
  let backup: ContainerClient;

  before(async () => {
    const shared = stackConfig().connections.adf as AdfConnectionConfig;
    standin = await startLocalStandin({ config: stackInfo().config, caFile: shared.caFile! });
    connections = new ConnectionRegistry({
      ...stackConfig().connections,
      adf: { ...shared, endpoint: standin.url, factoryName: uniqueName('adf-window') },
    });
    activities = createAdfActivities(connections);
    await deployPipelines(
      connections.dataFactory('adf'),
      deploySettings(
        connections,
        {
          source: 'source',
          backup: 'backup',
          cosmos: 'cosmos',
          mongo: { connection: 'mongo', keyVaultUrl: 'https://azbackup-dev.vault.azure.net/' },
        },
        (_field, resolve) => resolve(),
      ),
    );
    backup = connections.blob('backup').service.getContainerClient(uniqueName('adf-exp'));
    await backup.create();
  });
  after(async () => {
    await backup.deleteIfExists();
    connections.close();
    await standin.close();
  });

  const run = (pipeline: string, parameters: object) =>
    new MockActivityEnvironment({}, { logger: new DefaultLogger('ERROR') }).run(activities.runAdfPipeline, {
      adf: 'adf',
      pipeline,
      parameters: parameters as Record<string, unknown>,
      pollEveryMs: 200,
    }) as Promise<AdfRunResult>;

  const lines = async (name: string) =>
    (await backup.getBlobClient(name).downloadToBuffer())
      .toString('utf8')
      .split('\n')
      .filter((l) => l !== '');

  it('exports exactly the documents of a Cosmos DB _ts window as NDJSON', async () => {
    const database = uniqueName('adfwin');
    const { database: db } = await connections.cosmos('cosmos').databases.createIfNotExists({ id: database });
    try {
      const { container } = await db.containers.createIfNotExists({ id: 'orders', partitionKey: { paths: ['/pk'] } });
      const batches = [5, 7, 4];
      for (const [b, size] of batches.entries()) {
        if (b > 0) await sleep(1_100); // a later batch lands in a later second of _ts
        for (let i = 0; i < size; i++)
          await container.items.create({ id: `b${b}-${i}`, pk: `p${i % 2}`, batch: b, nested: { n: i, s: 'x"y' } });
      }
      const { resources: all } = await container.items.query<Record<string, unknown>>('SELECT * FROM c').fetchAll();
      const tsOf = (b: number) => all.filter((d) => d.batch === b).map((d) => d._ts as number);
      assert.ok(Math.max(...tsOf(0)) < Math.min(...tsOf(1)) && Math.max(...tsOf(1)) < Math.min(...tsOf(2)));
      // The window [first second of batch 1, first second of batch 2), in ms as a workflow plans it.
      const { fromTs, toTs } = cosmosTsBounds({
        fromMs: Math.min(...tsOf(1)) * 1000,
        toMs: Math.min(...tsOf(2)) * 1000,
      });
      const objectPath = `${backup.containerName}/cosmos/${database}/orders/window-1.ndjson`;
      const parameters: CosmosWindowParameters = { database, container: 'orders', fromTs, toTs, objectPath };

      const result = await run(ADF_PIPELINES.cosmosWindow, parameters);

      assert.equal(result.output?.rowsCopied, batches[1]);
      assert.equal(result.output?.filesWritten, 1);
      const exported = (await lines(objectPath.slice(backup.containerName.length + 1))).map(
        (l) => JSON.parse(l) as Record<string, unknown>,
      );
      const byId = (a: Record<string, unknown>, b: Record<string, unknown>) => String(a.id).localeCompare(String(b.id));
      assert.deepEqual(exported.sort(byId), all.filter((d) => d.batch === 1).sort(byId));
      assert.ok(
        exported.every((d) => typeof d._etag === 'string' && typeof d._rid === 'string'),
        'system properties kept',
      );
    } finally {
      await db.delete();
    }
  });

  it('exports exactly the documents of an ObjectId window as canonical Extended JSON lines', async () => {
    const database = uniqueName('adfwin');
    const collection = connections.mongo('mongo').db(database).collection<Document>('events');
    const A = Date.parse('2026-11-02T00:00:00Z') / 1000;
    const B = A + 3_600;
    const id = (seconds: number, tail: string) => new ObjectId(seconds.toString(16).padStart(8, '0') + tail);
    const typed = (i: number) => ({
      i32: new Int32(i),
      dbl: new Double(7),
      lng: Long.fromString('9007199254740993'),
      when: new Date(Date.UTC(2026, 10, 2, 0, 0, i)),
      bin: new Binary(Buffer.from([i, 255, 0]), 4),
      nested: { list: [new Int32(1), 'two', null] },
    });
    const documents = [
      { _id: id(A - 1, 'ffffffffffffffff'), ...typed(0) }, // just before the window
      { _id: id(A, '0000000000000000'), ...typed(1) }, // its first possible ObjectId
      { _id: id(A + 1800, 'abcdef0123456789'), ...typed(2) },
      { _id: id(B - 1, 'ffffffffffffffff'), ...typed(3) }, // its last possible ObjectId
      { _id: id(B, '0000000000000000'), ...typed(4) }, // just after
      { _id: id(A + 60, '0000000000000000').toHexString(), ...typed(5) }, // a string _id: in no ObjectId window
    ];
    await collection.insertMany(documents as Document[]);
    try {
      const objectPath = `${backup.containerName}/mongo/${database}/events/window-1.ndjson`;
      const parameters: MongoWindowParameters = {
        database,
        collection: 'events',
        filter: mongoWindowFilterJson(objectIdWindow({ index: 0, fromMs: A * 1000, toMs: B * 1000 })),
        objectPath,
      };

      const result = await run(ADF_PIPELINES.mongoWindow, parameters);

      assert.equal(result.output?.rowsCopied, 3);
      const expected = documents.slice(1, 4).map((d) => EJSON.stringify(d, { relaxed: false }));
      assert.deepEqual(await lines(objectPath.slice(backup.containerName.length + 1)), expected);
      const [first] = expected;
      assert.match(
        first!,
        /"i32":\{"\$numberInt":"1"\}.*"dbl":\{"\$numberDouble":"7\.0"\}.*"lng":\{"\$numberLong":"9007199254740993"\}/,
      );
    } finally {
      await connections.mongo('mongo').db(database).dropDatabase();
    }
  });
});
