// MongoStore specifics, on FerretDB (the dev stack's Mongo wire server, started here on a free port) with the
// real mongodb driver (the contract every DocumentStore keeps is document-store-contract.test.ts):
// - every BSON type keeps its type from the source collection through canonical Extended JSON, NDJSON text
//   and an upsert into another collection (compared as canonical Extended JSON, and by `$type` on the server);
//   the types FerretDB cannot store (Decimal128, arrays in arrays, NaN, ±Infinity, -0.0, MinKey/MaxKey) go
//   through the same conversion and the BSON wire encoding, byte for byte;
// - `_id`s that are not ObjectIds (strings, numbers, a 24-hex string, a UUID, a sub-document) are in no
//   window and are exactly what `readOutsideWindows` yields;
// - 10,000 documents over five days: the windows' counts add up to the collection, none is in two windows,
//   each is in the window of its time, the cursor streams in batches of 1000; a known `_id` (the MongoDB
//   manual's) and one the driver makes now are in the window of their second; upserting a copy twice works;
// - an aborted read or write stops; operations Cosmos DB throttled (error 16500) are sent again, and only they.
import {
  Binary,
  BSON,
  BSONRegExp,
  Decimal128,
  Double,
  Int32,
  Long,
  MaxKey,
  MinKey,
  MongoClient,
  ObjectId,
  Timestamp,
  UUID,
  type AnyBulkWriteOperation,
  type BulkWriteOptions,
  type Document,
} from 'mongodb';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ferretDbConnectionString, startFerretDb } from '../../dev/ferretdb';
import type { ManagedProcess } from '../../dev/managed-process';
import { findFreePorts } from '../../dev/ports';
import { OBJECTID_END_MS, planObjectIdWindows } from '../../src/domain/objectid-windows';
import type { ExportedDocument } from '../../src/exports/document-store';
import { fromExtendedJson, READ_TYPES, toExtendedJson } from '../../src/mongo/extended-json';
import { MONGO_READ_BATCH, MongoStore, throttledOperations } from '../../src/mongo/mongo-store';

const { EJSON } = BSON;
const canonical = (value: unknown) => EJSON.serialize(value as Document, { relaxed: false });
const DAY = 86_400;
const BASE = Date.parse('2026-11-01T00:00:00Z') / 1000;
const SPREAD_DAYS = 5;
const COUNT = 10_000;

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

async function* asAsync<T>(items: readonly T[]): AsyncIterable<T> {
  yield* items;
}

/** Through NDJSON as an export writes it: one JSON line per document, and back. */
const throughNdjson = (documents: ExportedDocument[]): ExportedDocument[] =>
  documents
    .map((d) => JSON.stringify(d))
    .join('\n')
    .split('\n')
    .map((line) => JSON.parse(line) as ExportedDocument);

const idAt = (seconds: number, tail = randomBytes(8).toString('hex')) =>
  new ObjectId(seconds.toString(16).padStart(8, '0') + tail);

describe('MongoStore on FerretDB with the mongodb driver', () => {
  let dir: string;
  let server: ManagedProcess;
  let client: MongoClient;
  let connectionString: string;
  const database = `mongo-store-${Date.now().toString(36)}`;
  /** Server replies to find/getMore: how many documents each carried. */
  const replyBatches: number[] = [];
  const store = (collection: string) => new MongoStore(client, connectionString, database, collection);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'azb-mongo-store-'));
    const [port] = (await findFreePorts(1)) as [number];
    server = await startFerretDb({ port, dataDir: join(dir, 'data'), logDir: dir });
    connectionString = ferretDbConnectionString(port);
    client = new MongoClient(connectionString, { serverSelectionTimeoutMS: 20_000, monitorCommands: true });
    client.on('commandSucceeded', (event) => {
      const cursor = (event.reply as { cursor?: { firstBatch?: unknown[]; nextBatch?: unknown[] } }).cursor;
      const batch = cursor?.firstBatch ?? cursor?.nextBatch;
      if ((event.commandName === 'find' || event.commandName === 'getMore') && batch) replyBatches.push(batch.length);
    });
    await client.connect();
  });

  after(async () => {
    await client?.close();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('names its location from the connection string', () => {
    const s = store('things');
    assert.equal(s.kind, 'mongo');
    assert.deepEqual(s.location, {
      account: `127-0-0-1-${new URL(connectionString).port}`,
      database,
      container: 'things',
    });
    const cosmos = new MongoStore(client, 'mongodb://u:p@myacct.mongo.cosmos.azure.com:10255/?ssl=true', 'db', 'c');
    assert.equal(cosmos.location.account, 'myacct');
  });

  it('keeps every type FerretDB stores: source → canonical EJSON → NDJSON → upsert → same canonical EJSON', async () => {
    const uuid = new UUID('0f8fad5b-d9cb-469f-a165-70867728950e');
    const originals: Document[] = [
      {
        _id: idAt(BASE, '0000000000000001'),
        objectId: new ObjectId('507f1f77bcf86cd799439011'),
        date: new Date('2026-11-30T12:34:56.789Z'),
        before1970: new Date(-86_400_000),
        farFuture: new Date(253402300799999), // 9999-12-31T23:59:59.999Z
        binary: new Binary(Buffer.from([0, 1, 2, 253, 254, 255])),
        uuid: uuid.toBinary(), // subtype 4
        md5: new Binary(Buffer.alloc(16, 7), Binary.SUBTYPE_MD5),
        int32: new Int32(42),
        wholeDouble: new Double(42), // a Double with no fraction: promoted reads would make it an int
        double: new Double(-1.25),
        smallLong: Long.fromNumber(7), // a Long that fits a JS number: promoted reads would make it an int
        bigLong: Long.fromString('9007199254740993'), // 2^53 + 1: not a JS number at all
        negativeLong: Long.fromString('-9223372036854775808'),
        nothing: null,
        truth: true,
        text: 'grüße, 東京, 🎉',
        regex: new BSONRegExp('^a.+z$', 'imsx'),
        timestamp: new Timestamp({ t: 1796040000, i: 7 }),
        nested: {
          list: [new Int32(1), new Double(2), Long.fromNumber(3), { deep: [{ deeper: new Date(0) }] }],
          empty: {},
          emptyList: [],
          id: new ObjectId('6b0d65400000000000000000'),
        },
      },
      { _id: idAt(BASE + 1, '0000000000000002'), only: new Int32(1) },
    ];
    const source = client.db(database).collection('types-source');
    await source.insertMany(originals);

    const exported = await collect(store('types-source').readAll());
    const expected = originals.map(canonical);
    assert.deepEqual(exported, expected);
    // Field order too: the same text.
    assert.equal(JSON.stringify(exported), JSON.stringify(expected));
    assert.deepEqual(exported[0]!.wholeDouble, { $numberDouble: '42.0' });
    assert.deepEqual(exported[0]!.smallLong, { $numberLong: '7' });
    assert.deepEqual(exported[0]!.uuid, { $binary: { base64: uuid.toBinary().toString('base64'), subType: '04' } });

    const target = store('types-target');
    await target.ensure();
    assert.equal(await target.upsert(asAsync(throughNdjson(exported))), originals.length);
    assert.equal(JSON.stringify(await collect(target.readAll())), JSON.stringify(expected));

    // The server holds the types, not just our text: ask it by $type.
    const restored = client.db(database).collection('types-target');
    const typeOf: [string, string][] = [
      ['int32', 'int'],
      ['wholeDouble', 'double'],
      ['smallLong', 'long'],
      ['bigLong', 'long'],
      ['date', 'date'],
      ['before1970', 'date'],
      ['uuid', 'binData'],
      ['objectId', 'objectId'],
      ['timestamp', 'timestamp'],
      ['regex', 'regex'],
      ['nothing', 'null'],
      ['nested.list', 'array'],
    ];
    for (const [field, type] of typeOf) {
      assert.equal(await restored.countDocuments({ [field]: { $type: type } }), 1, `${field} is a ${type}`);
    }
    const raw = await restored.findOne({ _id: originals[0]!._id }, READ_TYPES);
    assert.equal((raw!.uuid as Binary).sub_type, Binary.SUBTYPE_UUID);
    assert.deepEqual(
      BSON.serialize(raw!),
      BSON.serialize(originals[0]!),
      'the stored document is the original, byte for byte',
    );
  });

  it('keeps the types FerretDB cannot store through the conversion and the BSON wire encoding, byte for byte', () => {
    // FerretDB 1.24 drops the connection on Decimal128, refuses NaN/±Infinity and arrays directly in arrays,
    // and turns -0.0 into 0.0; Cosmos DB stores them. This is what the driver sends and receives for them.
    const original: Document = {
      _id: new ObjectId(),
      decimal: Decimal128.fromString('1234567890.123456789012345678901234'),
      negativeDecimal: Decimal128.fromString('-0.000000000000000000000000000000001'),
      matrix: [
        [new Int32(1), new Double(2)],
        [[Long.fromNumber(3)], []],
      ],
      nan: new Double(NaN),
      inf: new Double(Infinity),
      negInf: new Double(-Infinity),
      negZero: new Double(-0),
      min: new MinKey(),
      max: new MaxKey(),
    };
    const bytes = BSON.serialize(original);
    const asRead = BSON.deserialize(bytes, READ_TYPES); // what find returns for these bytes
    const [line] = throughNdjson([toExtendedJson(asRead)]);
    assert.deepEqual(line!.decimal, { $numberDecimal: '1234567890.123456789012345678901234' });
    assert.deepEqual(line!.negZero, { $numberDouble: '-0.0' });
    assert.deepEqual(line!.nan, { $numberDouble: 'NaN' });
    const toSend = fromExtendedJson(line!); // what upsert gives the driver
    assert.deepEqual(BSON.serialize(toSend), bytes);
  });

  it('leaves every _id that is no ObjectId out of the windows: readOutsideWindows yields exactly those', async () => {
    const hexText = idAt(BASE + 10).toHexString();
    const odd: Document[] = [
      { _id: 'plain-string' },
      { _id: hexText }, // 24 hex digits, stored as a string: no ObjectId
      { _id: new Int32(42) },
      { _id: Long.fromString('9007199254740993') },
      { _id: new Double(2.5) },
      { _id: new UUID('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11').toBinary() },
      { _id: { tenant: 'a', n: new Int32(1) } },
      { _id: new Date(BASE * 1000) },
    ];
    const regular = [idAt(BASE), idAt(BASE + 10), idAt(BASE + DAY)].map((_id) => ({ _id, regular: true }));
    await client
      .db(database)
      .collection<Document>('odd-ids')
      .insertMany([...odd, ...regular]);
    const s = store('odd-ids');
    const key = (d: ExportedDocument) => s.keyOf(d);

    const everything = await collect(s.readAll());
    assert.equal(everything.length, odd.length + regular.length);
    const outside = await collect(s.readOutsideWindows());
    assert.deepEqual(outside.map(key).sort(), odd.map((d) => key(canonical(d))).sort());
    for (const document of outside) assert.equal(s.timeOf(document), undefined, `no time for ${key(document)}`);

    // All of ObjectId time, as one window and as year-long windows: only the ObjectIds.
    const whole = await collect(s.readWindow({ fromMs: 0, toMs: OBJECTID_END_MS }));
    assert.deepEqual(whole.map(key).sort(), regular.map((d) => key(canonical(d))).sort());
    const plan = planObjectIdWindows({ fromMs: 0, toMs: OBJECTID_END_MS, windowSeconds: 366 * DAY });
    assert.ok(plan.ok);
    let inWindows = 0;
    for (const window of plan.windows) {
      for (const document of await collect(s.readWindow(window))) {
        assert.ok(!outside.some((o) => key(o) === key(document)), `${key(document)} is in a window`);
        inWindows++;
      }
    }
    assert.equal(inWindows, regular.length);
    // One query for a window and the ids no window sees: each of both, once, none of the other windows'.
    const firstDay = { fromMs: BASE * 1000, toMs: (BASE + 60) * 1000 };
    const withOutside = (await collect(s.readWindow(firstDay, { includeOutside: true }))).map(key);
    const expected = [...odd.map((d) => key(canonical(d))), ...regular.slice(0, 2).map((d) => key(canonical(d)))];
    assert.deepEqual([...withOutside].sort(), expected.sort());
    assert.equal(new Set(withOutside).size, withOutside.length, 'each once');
    // The 24-hex string is not the ObjectId of the same text, and each has its own key.
    assert.notEqual(key({ _id: hexText }), key({ _id: { $oid: hexText } }));
    // keys() and delete() take them too.
    const keys = await collect(s.keys());
    assert.deepEqual([...keys].sort(), everything.map(key).sort());
    assert.equal(await s.delete(outside.map(key)), odd.length);
    assert.deepEqual(await collect(s.readOutsideWindows()), []);
  });

  describe('10,000 documents over five days', () => {
    const s = () => store('spread');
    // Edges of a window [A, B) on both sides, and the rest spread over the days, each at a random tail.
    const A = BASE + DAY + 3_600;
    const B = BASE + 3 * DAY + 7_200;
    const edges = [
      idAt(A - 1, 'ffffffffffffffff'),
      idAt(A, '0000000000000000'),
      idAt(B - 1, 'ffffffffffffffff'),
      idAt(B, '0000000000000000'),
    ];
    const known = new ObjectId('507f1f77bcf86cd799439011'); // the MongoDB manual's: 2012-10-17T21:13:27Z
    const now = new ObjectId(); // made by the driver now: its own random and counter bytes
    const spread = Array.from({ length: COUNT - edges.length - 2 }, (_, i) =>
      idAt(BASE + Math.floor((i * SPREAD_DAYS * DAY) / COUNT)),
    );
    const ids = [...spread, ...edges, known, now];
    const hexes = new Set(ids.map((id) => id.toHexString()));

    before(async () => {
      const t0 = Date.now();
      await client
        .db(database)
        .collection('spread')
        .insertMany(ids.map((_id, i) => ({ _id, i: new Int32(i), pad: 'x'.repeat(100) })));
      console.log(`inserted ${COUNT} documents in ${Date.now() - t0} ms`);
    });

    it('windows cut the collection: counts add up, none in two, each in the window of its time', async (t) => {
      const plan = planObjectIdWindows({
        fromMs: BASE * 1000 - 1_234, // not on a second
        toMs: (BASE + SPREAD_DAYS * DAY) * 1000 + 567,
        windowSeconds: 16 * 3600, // not a divisor of five days: the last window is shorter
      });
      assert.ok(plan.ok);
      replyBatches.length = 0;
      const seen = new Map<string, number>();
      const counts: number[] = [];
      const t0 = Date.now();
      for (const window of plan.windows) {
        let count = 0;
        let previous = '';
        for await (const document of s().readWindow(window)) {
          const hex = (document._id as { $oid: string }).$oid;
          assert.ok(!seen.has(hex), `${hex} in windows ${seen.get(hex)} and ${window.index}`);
          seen.set(hex, window.index);
          const time = s().timeOf(document)!;
          assert.ok(time >= window.fromMs && time < window.toMs, `${hex} in window ${window.index}`);
          assert.ok(hex > previous, 'sorted by _id');
          previous = hex;
          count++;
        }
        counts.push(count);
      }
      const ms = Date.now() - t0;
      const inRange = ids.filter((id) => {
        const seconds = id.getTimestamp().getTime() / 1000;
        return seconds >= BASE && seconds < BASE + SPREAD_DAYS * DAY;
      });
      assert.equal(
        counts.reduce((a, b) => a + b, 0),
        inRange.length,
      );
      assert.equal(inRange.length, COUNT - 2, 'everything but the 2012 id and the one made now');
      assert.equal(await client.db(database).collection('spread').countDocuments(), COUNT);
      // Streamed: no reply carried more than a batch, and a window of thousands took several.
      assert.ok(Math.max(...replyBatches) <= MONGO_READ_BATCH, `largest reply ${Math.max(...replyBatches)}`);
      assert.ok(replyBatches.length > plan.windows.length, `${replyBatches.length} replies`);
      t.diagnostic(
        `${plan.windows.length} windows of 16 h, ${counts.join('/')} documents: ${ms} ms ` +
          `(${Math.round((inRange.length / ms) * 1000)} documents/s), ${replyBatches.length} find/getMore replies`,
      );
    });

    it('the window of a window edge and of a known _id hold them', async () => {
      const keysOf = async (fromMs: number, toMs: number) =>
        (await collect(s().readWindow({ fromMs, toMs }))).map((d) => (d._id as { $oid: string }).$oid);
      const window = await keysOf(A * 1000, B * 1000);
      assert.ok(!window.includes(edges[0]!.toHexString()) && window.includes(edges[1]!.toHexString()));
      assert.ok(window.includes(edges[2]!.toHexString()) && !window.includes(edges[3]!.toHexString()));

      assert.equal(
        new Date(s().timeOf({ _id: { $oid: known.toHexString() } })!).toISOString(),
        '2012-10-17T21:13:27.000Z',
      );
      const second = Date.parse('2012-10-17T21:13:27Z');
      assert.deepEqual(await keysOf(second, second + 1000), [known.toHexString()]);
      assert.deepEqual(await keysOf(second - 1000, second), []);
      assert.deepEqual(await keysOf(second + 1000, second + 3_600_000), []);
      const made = now.getTimestamp().getTime();
      assert.ok(Math.abs(made - Date.now()) < 120_000, 'the driver made it now');
      assert.ok((await keysOf(made, made + 1000)).includes(now.toHexString()));
      assert.ok(!(await keysOf(made - 1000, made)).includes(now.toHexString()));
      assert.equal(await s().oldestTimeMs(), second, 'the oldest is the 2012 id');
    });

    it('readAll gives all of them; a copy of 2,000 upserted twice is idempotent; keys/delete take thousands', async (t) => {
      const t0 = Date.now();
      const exported = await collect(s().readAll());
      const reading = Date.now() - t0;
      assert.equal(exported.length, COUNT);
      assert.deepEqual(new Set(exported.map((d) => (d._id as { $oid: string }).$oid)), hexes);
      // FerretDB commits each update statement on its own (a few ms each on a shared disk), so the copy is a
      // slice: 20 batches, the second pass replacing existing documents (the case FerretDB hangs on past 100).
      const slice = exported.filter((_, i) => i % 5 === 0);
      const copy = store('spread-copy');
      await copy.ensure();
      const progress: number[] = [];
      const t1 = Date.now();
      assert.equal(await copy.upsert(asAsync(slice), { onProgress: (n) => progress.push(n) }), slice.length);
      const first = Date.now() - t1;
      const t2 = Date.now();
      assert.equal(await copy.upsert(asAsync(slice)), slice.length, 'again: each one replaced');
      const again = Date.now() - t2;
      assert.deepEqual(
        progress,
        Array.from({ length: slice.length / 100 }, (_, i) => (i + 1) * 100),
        'a progress call per batch of 100',
      );
      assert.equal(await client.db(database).collection('spread-copy').countDocuments(), slice.length);
      assert.equal(JSON.stringify(await collect(copy.readAll())), JSON.stringify(slice));

      const keys = await collect(s().keys());
      assert.equal(new Set(keys).size, COUNT);
      assert.deepEqual(
        keys,
        exported.map((d) => s().keyOf(d)),
        'keys() as keyOf gives them, in _id order',
      );
      const copyKeys = await collect(copy.keys());
      const doomed = copyKeys.filter((_, i) => i % 2 === 0);
      const t3 = Date.now();
      assert.equal(await copy.delete(doomed), doomed.length);
      const deleting = Date.now() - t3;
      assert.deepEqual(
        await collect(copy.keys()),
        copyKeys.filter((_, i) => i % 2 === 1),
      );
      t.diagnostic(
        `readAll ${COUNT}: ${reading} ms; upsert ${slice.length} new: ${first} ms ` +
          `(${Math.round((slice.length / first) * 1000)}/s); again over existing ones: ${again} ms ` +
          `(${Math.round((slice.length / again) * 1000)}/s); delete ${doomed.length} in batches of 500: ${deleting} ms`,
      );
    });
  });

  it('stops reading when aborted, and stops writing between batches', async () => {
    const s = store('abort');
    await s.upsert(asAsync(Array.from({ length: 350 }, (_, i) => ({ _id: { $oid: idAt(BASE + i).toHexString() } }))));
    const controller = new AbortController();
    let read = 0;
    await assert.rejects(async () => {
      for await (const _ of s.readAll({ abortSignal: controller.signal })) if (++read === 10) controller.abort();
    });
    assert.ok(read < 350, `stopped after ${read}`);

    const writer = new AbortController();
    const progress: number[] = [];
    const documents = Array.from({ length: 350 }, () => ({ _id: { $oid: new ObjectId().toHexString() } }));
    const target = store('abort-target');
    await assert.rejects(
      target.upsert(asAsync(documents), {
        abortSignal: writer.signal,
        onProgress: (n) => {
          progress.push(n);
          writer.abort();
        },
      }),
      { name: 'AbortError' },
    );
    assert.deepEqual(progress, [100]);
    assert.equal(await client.db(database).collection('abort-target').countDocuments(), 100);
  });

  it('sends again only the operations Cosmos DB throttled (16500), and fails on any other error', async () => {
    // Cosmos DB ran every other operation of an unordered bulk write; FerretDB never throttles, so the
    // bulkWrite here runs on the real collection and then reports operations 1 and 3 as throttled.
    const real = client.db(database).collection('throttled');
    const calls: number[] = [];
    let refuse = true;
    const fakeClient = {
      db: () => ({
        collection: () => ({
          bulkWrite: async (operations: AnyBulkWriteOperation[], options: BulkWriteOptions) => {
            calls.push(operations.length);
            if (!refuse) return real.bulkWrite(operations, options);
            refuse = false;
            await real.bulkWrite(
              operations.filter((_, i) => i !== 1 && i !== 3),
              options,
            );
            throw Object.assign(new Error('Request rate is large'), {
              code: 16500,
              writeErrors: [1, 3].map((index) => ({
                index,
                code: 16500,
                errmsg: 'Request rate is large. More Request Units may be needed. RetryAfterMs=20',
              })),
            });
          },
        }),
      }),
    } as unknown as MongoClient;
    const s = new MongoStore(fakeClient, connectionString, database, 'throttled', { writeBatch: 5 });
    const documents = Array.from({ length: 5 }, (_, i) => ({ _id: { $oid: idAt(BASE + i).toHexString() }, i }));
    assert.equal(await s.upsert(asAsync(documents)), 5);
    assert.deepEqual(calls, [5, 2], 'the batch, then only the two refused');
    assert.equal(await real.countDocuments(), 5);

    const other = Object.assign(new Error('E11000 duplicate key'), {
      code: 11000,
      writeErrors: [
        { index: 0, code: 11000 },
        { index: 1, code: 16500 },
      ],
    });
    assert.equal(throttledOperations(other, ['a', 'b']), undefined, 'a real error is not retried');
    assert.deepEqual(throttledOperations({ code: 16500 }, ['a', 'b']), ['a', 'b'], 'a refused command: all');
    assert.deepEqual(throttledOperations({ code: 16500, writeErrors: { index: 1, code: 16500 } }, ['a', 'b']), ['b']);
    assert.equal(throttledOperations(new Error('network'), ['a']), undefined);
  });
});
