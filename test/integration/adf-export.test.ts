// Cosmos DB and Mongo exports in mode adf on the real stack: each window is exported by an
// azbackup-cosmos-window / azbackup-mongo-window run on the ADF stand-in (which queries the stack's Cosmos
// server and FerretDB), then adopted by the worker through the same chain (gzip, AES-256-GCM) and catalog
// as its own export. The same range exported by the worker and via ADF gives the same windows and counts,
// and restores of both are equal to the source. A factory without the pipeline is refused before any write.
import type { Container } from '@azure/cosmos';
import { WorkflowFailedError } from '@temporalio/client';
import { BSON, ObjectId, type Collection, type Document } from 'mongodb';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startLocalStandin, type LocalStandin } from '../../dev/adf-standin/test-client';
import { deployPipelines } from '../../src/adf/deploy';
import { deploySettings } from '../../src/adf/deploy-settings';
import { ADF_PIPELINES } from '../../src/adf/pipelines';
import { ExportCatalog } from '../../src/catalog/export-catalog';
import type { AdfConnectionConfig } from '../../src/config/schema';
import { exportScope } from '../../src/domain/catalog-layout';
import { backupCosmosContainer, restoreCosmos } from '../../src/workflows/backup-cosmos';
import { backupMongoCollection, restoreMongo } from '../../src/workflows/backup-mongo';
import type { WindowedBackupResult } from '../../src/workflows/windowed-backup';
import { useBlobFixture, type BlobFixtureOptions } from '../support/blob-fixture';
import { rootApplicationFailure } from '../support/failures';
import { stackConfig, stackInfo, uniqueName } from '../support/stack';

const SYSTEM = ['_rid', '_self', '_etag', '_attachments', '_ts'];
const shared = stackConfig().connections.adf as AdfConnectionConfig;
const factory = uniqueName('adf-export');

describe('Cosmos DB and Mongo exports moved by Data Factory', () => {
  let standin: LocalStandin;
  const options: BlobFixtureOptions = {};
  before(async () => {
    standin = await startLocalStandin({ config: stackInfo().config, caFile: shared.caFile! });
    options.extraConnections = {
      adf: { ...shared, endpoint: standin.url, factoryName: factory },
      'adf-bare': { ...shared, endpoint: standin.url, factoryName: uniqueName('adf-bare') },
    };
  });
  after(() => standin?.close());
  const fixture = useBlobFixture(options);
  const viaAdf = uniqueName('bk-adf'); // the ADF exports' own backup container: a catalog of their own
  before(async () => {
    const connections = fixture.w.connections;
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
  });
  const execute = <I, R>(workflow: (input: I) => Promise<R>, input: I) =>
    fixture.w.client.workflow.execute(workflow, {
      taskQueue: fixture.w.taskQueue,
      workflowId: uniqueName('wf-adf-export'),
      args: [input],
    });
  const windowRuns = async (pipeline: string) =>
    (await standin.control.stats(factory)).createRuns.filter((r) => r.pipelineName === pipeline).length;
  /**
   * Both exports cover the same range: windows, and the documents in each, are the same. A Mongo export via
   * ADF has one window more: the pass for non-ObjectId ids, which the worker export reads with window 0.
   */
  const sameWindows = async (
    kind: 'cosmos-sql' | 'mongo',
    a: WindowedBackupResult,
    b: WindowedBackupResult,
    db: string,
    c: string,
  ) => {
    const outsidePass = kind === 'mongo' ? 1 : 0;
    assert.deepEqual(
      [b.windows, b.documents, b.fromMs, b.toMs],
      [a.windows + outsidePass, a.documents, a.fromMs, a.toMs],
    );
    const [ca, cb] = [fixture.backupName, viaAdf].map(
      (name) =>
        new ExportCatalog(
          fixture.w.connections.blob('backup').service.getContainerClient(name),
          exportScope(kind, a.account, db, c),
        ),
    );
    for (let i = 0; i < a.windows; i++) {
      const [wa, wb] = [await ca!.window(a.runKey, i), await cb!.window(b.runKey, i)];
      assert.equal(wb.documents, wa.documents, `window ${i}: same documents via ADF`);
      assert.equal(wb.stored !== undefined && wb.filters.length, 2, 'gzip and encryption applied to the ADF window');
    }
  };

  it('a Cosmos DB export via ADF holds the same windows and documents as the worker export, and restores equal', async () => {
    const cosmos = fixture.w.connections.cosmos('cosmos');
    const database = uniqueName('db');
    const { database: db } = await cosmos.databases.createIfNotExists({ id: database });
    const source: Container = (
      await db.containers.createIfNotExists({ id: 'orders', partitionKey: { paths: ['/tenant'] } })
    ).container;
    const fromMs = Math.floor(Date.now() / 1000) * 1000 - 1000;
    for (let b = 0; b < 3; b++) {
      for (let i = b; i < 30; i += 3)
        await source.items.upsert({ id: `doc-${i}`, tenant: `t${i % 4}`, n: i, nested: { on: i % 2 === 0 } });
      await sleep(1100);
    }
    const range = {
      from: new Date(fromMs).toISOString(),
      to: new Date(Math.floor(Date.now() / 1000) * 1000).toISOString(),
    };
    const input = {
      cosmos: 'cosmos',
      database,
      container: 'orders',
      windowSeconds: 1,
      settleSeconds: 0,
      encryptionKey: 'local',
      ...range,
    };
    const runsBefore = await windowRuns(ADF_PIPELINES.cosmosWindow);
    const sdk = await execute(backupCosmosContainer, {
      ...input,
      backup: 'backup',
      backupContainer: fixture.backupName,
    });
    const adf = await execute(backupCosmosContainer, {
      ...input,
      backup: 'backup',
      backupContainer: viaAdf,
      mode: 'adf',
      adf: 'adf',
      adfPollEveryMs: 100,
    });
    assert.equal(adf.documents, 30);
    assert.equal(adf.mode, 'export', 'cataloged as an export');
    assert.equal((await windowRuns(ADF_PIPELINES.cosmosWindow)) - runsBefore, adf.windows, 'one ADF run per window');
    await sameWindows('cosmos-sql', sdk, adf, database, 'orders');

    const contents = async (c: Container) =>
      new Map(
        (await c.items.readAll().fetchAll()).resources.map((d) => {
          const clean: Record<string, unknown> = { ...d };
          for (const k of SYSTEM) delete clean[k];
          return [`${d.tenant}/${d.id}`, clean];
        }),
      );
    const restored = await execute(restoreCosmos, {
      backup: 'backup',
      backupContainer: viaAdf,
      source: { account: adf.account, database, container: 'orders' },
      target: { connection: 'cosmos', database, container: 'orders-restored' },
    });
    assert.equal(restored.upserted, 30);
    assert.deepEqual(await contents(db.container('orders-restored')), await contents(source));
  });

  it('a Mongo export via ADF holds the same windows and documents as the worker export, and restores equal in canonical Extended JSON', async () => {
    const mongo = fixture.w.connections.mongo('mongo');
    const database = uniqueName('db').replace(/-/g, '_');
    const events: Collection = mongo.db(database).collection('events');
    const now = Math.floor(Date.now() / 1000);
    const docs = Array.from({ length: 60 }, (_, i) => ({
      _id: ObjectId.createFromTime(now - 7200 + i * 100),
      n: i,
      at: new Date((now - i) * 1000),
      big: BSON.Long.fromNumber(2 ** 40 + i),
    }));
    await events.insertMany(docs);
    const range = { from: new Date((now - 7300) * 1000).toISOString(), to: new Date((now - 1) * 1000).toISOString() };
    const input = {
      mongo: 'mongo',
      database,
      collection: 'events',
      windowSeconds: 1800,
      settleSeconds: 0,
      encryptionKey: 'local',
      ...range,
    };
    const sdk = await execute(backupMongoCollection, {
      ...input,
      backup: 'backup',
      backupContainer: fixture.backupName,
    });
    const adf = await execute(backupMongoCollection, {
      ...input,
      backup: 'backup',
      backupContainer: viaAdf,
      mode: 'adf',
      adf: 'adf',
      adfPollEveryMs: 100,
    });
    // Via ADF the last window is the pass for non-ObjectId ids, which the worker makes (none here).
    assert.equal(adf.documents, 60);
    await sameWindows('mongo', sdk, adf, database, 'events');

    const canonical = async (c: Collection) =>
      new Map(
        (await c.find({}, { promoteValues: false, promoteLongs: false }).toArray()).map((d: Document) => [
          BSON.EJSON.stringify(d._id, { relaxed: false }),
          BSON.EJSON.stringify(d, { relaxed: false }),
        ]),
      );
    const restored = await execute(restoreMongo, {
      backup: 'backup',
      backupContainer: viaAdf,
      source: { account: adf.account, database, container: 'events' },
      target: { connection: 'mongo', database, container: 'events_restored' },
    });
    assert.equal(restored.upserted, 60);
    assert.deepEqual(await canonical(mongo.db(database).collection('events_restored')), await canonical(events));
  });

  it('refuses mode adf without a factory, or on one lacking the pipeline, before anything is written', async () => {
    const base = { cosmos: 'cosmos', database: 'nowhere', container: 'orders', backup: 'backup' };
    const noAdf = await execute(backupCosmosContainer, { ...base, mode: 'adf' }).catch((e: unknown) => e);
    assert.ok(noAdf instanceof WorkflowFailedError);
    assert.match(rootApplicationFailure(noAdf)?.message ?? '', /adf is required/);
    const cosmos = fixture.w.connections.cosmos('cosmos');
    const database = uniqueName('db');
    await (
      await cosmos.databases.createIfNotExists({ id: database })
    ).database.containers.createIfNotExists({ id: 'x' });
    const bk = uniqueName('bk-refused');
    const err = await execute(backupCosmosContainer, {
      ...base,
      database,
      container: 'x',
      backupContainer: bk,
      mode: 'adf',
      adf: 'adf-bare',
    }).catch((e: unknown) => e);
    const root = rootApplicationFailure(err);
    assert.equal(root?.type, 'AdfPipelineNotFound', root?.message);
    assert.match(root?.message ?? '', /azbackup adf deploy/);
    assert.equal(await fixture.w.connections.blob('backup').service.getContainerClient(bk).exists(), false);
  });
});
