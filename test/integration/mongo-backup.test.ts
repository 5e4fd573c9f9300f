// Cosmos DB for MongoDB exports on the real stack (Temporal, FerretDB over the real mongodb driver,
// Azurite): ObjectId windows over five days that add up to the collection with no document in two, an
// incremental second run, `_id`s that are not ObjectIds exported by their own pass, restore equal in
// canonical Extended JSON, a wrong key refused before any write, replica mode, and bad input.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { BSON, Binary, Double, Int32, Long, ObjectId, type Collection, type Document } from 'mongodb';
import { ExportCatalog } from '../../src/catalog/export-catalog';
import { exportScope } from '../../src/domain/catalog-layout';
import { objectIdLowerBound } from '../../src/domain/objectid-windows';
import { backupMongoCollection, restoreMongo, type BackupMongoCollectionInput } from '../../src/workflows/backup-mongo';
import type { WindowedBackupResult } from '../../src/workflows/windowed-backup';
import type { WindowedRestoreInput } from '../../src/workflows/windowed-restore';
import { useBlobFixture } from '../support/blob-fixture';
import { rootApplicationFailure } from '../support/failures';
import { startTestWorker, uniqueName } from '../support/stack';

const DAY = 86_400;
const NOW = Math.floor(Date.now() / 1000);

describe('Cosmos DB for MongoDB export', () => {
  const fixture = useBlobFixture();
  const { bk, backupName } = fixture;
  const mongo = () => fixture.w.connections.mongo('mongo');
  const database = uniqueName('db').replace(/-/g, '_');
  const canonical = async (c: Collection) =>
    new Map(
      (await c.find({}, { promoteValues: false, promoteLongs: false, promoteBuffers: false }).toArray()).map(
        (d: Document) => [BSON.EJSON.stringify(d._id, { relaxed: false }), BSON.EJSON.stringify(d, { relaxed: false })],
      ),
    );
  const backup = (input: Partial<BackupMongoCollectionInput>) =>
    fixture.w.client.workflow.execute(backupMongoCollection, {
      taskQueue: fixture.w.taskQueue,
      workflowId: uniqueName('wf-mongo'),
      args: [
        {
          mongo: 'mongo',
          database,
          collection: 'events',
          backup: 'backup',
          backupContainer: backupName,
          windowSeconds: 6 * 3600,
          settleSeconds: 0,
          ...input,
        },
      ],
    });
  const restore = (input: Omit<WindowedRestoreInput, 'backup' | 'source'>, w = fixture.w) =>
    w.client.workflow.execute(restoreMongo, {
      taskQueue: w.taskQueue,
      workflowId: uniqueName('wf-mongo-restore'),
      args: [
        {
          backup: 'backup',
          backupContainer: backupName,
          source: { account: first.account, database, container: 'events' },
          ...input,
        },
      ],
    });
  const failure = async (run: Promise<unknown>) => {
    const err = await run.then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof WorkflowFailedError, String(err));
    return rootApplicationFailure(err)!;
  };
  let events: Collection;
  let first: WindowedBackupResult;

  before(async () => {
    events = mongo().db(database).collection('events');
    // 10,000 documents created over five days (their ObjectIds say when), of mixed types (Decimal128 is
    // covered by the store's own tests: FerretDB cannot store it).
    const docs = Array.from({ length: 10_000 }, (_, i) => ({
      _id: ObjectId.createFromTime(NOW - 5 * DAY + Math.floor((i * 5 * DAY) / 10_000)),
      i: new Int32(i),
      ratio: new Double(i / 7),
      big: Long.fromString(`${9007199254740993n + BigInt(i)}`),
      at: new Date(Date.UTC(2026, 0, 1) + i * 1000),
      raw: new Binary(Buffer.from([i & 255, 1, 2])),
      tags: [`t${i % 5}`, { nested: i % 2 === 0 }],
    }));
    await events.insertMany(docs);
    // Three documents no ObjectId window can see.
    await events.insertMany([
      { _id: 'user-42' as never, kind: 'string id' },
      { _id: 7 as never, kind: 'number id' },
      { _id: { region: 'eu', n: 1 } as never, kind: 'document id' },
    ]);
  });

  it('exports in ObjectId windows that add up to the collection, none twice; non-ObjectId ids read with window 0 and counted apart', async () => {
    first = await backup({ encryptionKey: 'local' });
    assert.equal(first.documents, 10_003);
    assert.deepEqual([first.outside?.documents, first.outside?.sample.length], [3, 3]);
    assert.ok(first.outside!.sample.some((k) => k.includes('user-42')));
    const catalog = new ExportCatalog(bk(), exportScope('mongo', first.account, database, 'events'));
    let inWindows = 0;
    for (let i = 0; i < first.windows; i++) {
      const w = await catalog.window(first.runKey, i);
      assert.equal(w.outside, undefined, 'no pass of their own: one query reads them with window 0');
      const count = await events.countDocuments({
        _id: {
          $gte: new ObjectId(objectIdLowerBound(Math.ceil(w.fromMs / 1000))),
          $lt: new ObjectId(objectIdLowerBound(Math.ceil(w.toMs / 1000))),
        },
      });
      const unseen = w.outsideDocuments ?? 0;
      assert.equal(w.documents - unseen, count, `window ${i} holds exactly the documents created in it`);
      inWindows += w.documents - unseen;
    }
    assert.equal(inWindows, 10_000, 'every ObjectId document in exactly one window');
    const w0 = await catalog.window(first.runKey, 0);
    assert.deepEqual([w0.outsideDocuments, w0.sample?.length], [3, 3]);
  });

  it('a second run exports only the documents created since (and the non-ObjectId pass again)', async () => {
    await events.insertMany(Array.from({ length: 50 }, (_, i) => ({ _id: new ObjectId(), late: i })));
    await new Promise((r) => setTimeout(r, 1100));
    const second = await backup({ encryptionKey: 'local' });
    assert.equal(second.fromMs, first.toMs);
    assert.deepEqual([second.documents - second.outside!.documents, second.outside!.documents], [50, 3]);
  });

  it('restores into a fresh collection, equal to the source in canonical Extended JSON', async () => {
    const r = await restore({ target: { connection: 'mongo', database, container: 'events_restored' } });
    assert.equal(r.upserted, 10_056);
    const [a, b] = [await canonical(events), await canonical(mongo().db(database).collection('events_restored'))];
    assert.equal(b.size, a.size);
    assert.deepEqual(b, a);
  });

  it('refuses a wrong key before writing anything', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'azb-key-'));
    writeFileSync(join(dir, 'other.key'), randomBytes(32).toString('base64'));
    const wrong = await startTestWorker({ keys: { local: { source: 'file', path: join(dir, 'other.key') } } });
    try {
      const f = await failure(restore({ target: { connection: 'mongo', database, container: 'events_never' } }, wrong));
      assert.equal(f.type, 'IntegrityFailure');
      assert.match(f.message, /authentication failed at chunk 0: wrong key or the data was modified/);
      const names = (await mongo().db(database).listCollections({ name: 'events_never' }).toArray()).length;
      assert.equal(names, 0, 'not even the target collection');
    } finally {
      await wrong.stop();
    }
  });

  it('replica mode makes the target equal to the source', async () => {
    const small = mongo().db(database).collection('orders');
    await small.insertMany(
      Array.from({ length: 800 }, (_, i) => ({ _id: ObjectId.createFromTime(NOW - DAY + i * 60), n: new Int32(i) })),
    );
    await small.insertOne({ _id: 'legacy-1' as never, n: new Int32(-1) });
    const r = await backup({
      collection: 'orders',
      mode: 'replica',
      target: { connection: 'mongo', database, container: 'orders_replica' },
    });
    assert.equal(r.documents, 801);
    assert.deepEqual(await canonical(mongo().db(database).collection('orders_replica')), await canonical(small));
  });

  const bad: [string, Partial<BackupMongoCollectionInput>, string, RegExp][] = [
    ['a window of 0 seconds', { windowSeconds: 0 }, 'InvalidInput', /windowSeconds must be a whole number from 1/],
    [
      'from after to',
      { from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' },
      'InvalidInput',
      /from must be before to/,
    ],
    [
      'an unknown collection',
      { collection: 'no_such_collection' },
      'SourceNotFound',
      /no_such_collection does not exist/,
    ],
    ['a collection name with $', { collection: 'bad$name' }, 'InvalidInput', /collection may not contain \$/],
    [
      'a cosmos connection as mongo',
      { mongo: 'cosmos' },
      'UnknownConnection',
      /is a cosmos connection, not a mongo connection/,
    ],
  ];
  for (const [name, input, type, message] of bad) {
    it(`refuses ${name} before any write`, async () => {
      const untouched = uniqueName('bk-never');
      const f = await failure(backup({ backupContainer: untouched, ...input }));
      assert.equal(f.type, type, f.message);
      assert.equal(f.nonRetryable, true);
      assert.match(f.message, message);
      assert.equal(await fixture.w.connections.blob('backup').service.getContainerClient(untouched).exists(), false);
    });
  }
});
