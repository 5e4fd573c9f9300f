// The dev stack's MongoDB wire server (FerretDB on SQLite, dev/ferretdb.ts) with the real mongodb driver:
// built or found, started on a free port with a temp dir, an `_id` window counts and scans exactly the
// documents created in it (boundary seconds included), the windows of src/domain/objectid-windows.ts cut the
// collection with no gap and no overlap, a non-ObjectId `_id` is in no window and can be found, and after stop
// the port is free. Needs Go (or a built binary), not the Temporal stack.
import { BSON, MongoClient, ObjectId, type Document } from 'mongodb';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ensureFerretDb, ferretDbConnectionString, startFerretDb } from '../../dev/ferretdb';
import type { ManagedProcess } from '../../dev/managed-process';
import { findFreePorts, isPortFree } from '../../dev/ports';
import {
  mongoWindowFilterJson,
  OBJECTID_END_MS,
  objectIdWindow,
  planObjectIdWindows,
} from '../../src/domain/objectid-windows';

const DAY = 86_400;
const BASE = Date.parse('2026-11-01T00:00:00Z') / 1000; // seconds
const SPREAD_DAYS = 5;
const COUNT = 5_000;

/** An ObjectId of second `seconds` with the given last 8 bytes (16 hex digits). */
const idAt = (seconds: number, tail: string) => new ObjectId(seconds.toString(16).padStart(8, '0') + tail);

describe('FerretDB, the MongoDB wire server of the dev stack', () => {
  let dir: string;
  let port: number;
  let server: ManagedProcess;
  let client: MongoClient;
  // Window [A, B) in seconds, and documents on both sides of both bounds.
  const A = BASE + DAY + 3_600;
  const B = BASE + 3 * DAY + 7_200;
  const edges = [
    idAt(A - 1, 'ffffffffffffffff'), // last possible ObjectId before A: outside
    idAt(A, '0000000000000000'), // = ObjectId.createFromTime(A): inside ($gte)
    idAt(B - 1, 'ffffffffffffffff'), // last possible ObjectId before B: inside
    idAt(B, '0000000000000000'), // = ObjectId.createFromTime(B): outside ($lt)
  ];
  // The rest spread over five days, one second each (createFromTime fills the other 8 bytes with zeros).
  const spread = Array.from({ length: COUNT - edges.length }, (_, i) =>
    ObjectId.createFromTime(BASE + Math.floor((i * SPREAD_DAYS * DAY) / (COUNT - edges.length))),
  );
  const ids = [...spread, ...edges].sort((x, y) => x.toHexString().localeCompare(y.toHexString()));
  const inWindow = (id: ObjectId, from: number, to: number) => {
    const s = id.getTimestamp().getTime() / 1000;
    return s >= from && s < to;
  };

  before(async () => {
    const started = Date.now();
    const binary = await ensureFerretDb({ log: (m) => console.log(m) });
    console.log(`FerretDB binary (${binary.origin}) ready in ${Date.now() - started} ms: ${binary.path}`);
    dir = mkdtempSync(join(tmpdir(), 'azb-mongo-'));
    [port] = (await findFreePorts(1)) as [number];
    const t0 = Date.now();
    server = await startFerretDb({ port, dataDir: join(dir, 'data'), logDir: dir });
    console.log(`FerretDB listening on ${port} after ${Date.now() - t0} ms`);
    client = new MongoClient(ferretDbConnectionString(port), { serverSelectionTimeoutMS: 20_000 });
    await client.connect();
  });

  after(async () => {
    await client?.close();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('speaks the wire protocol and keeps its SQLite files in the data directory', async () => {
    const hello = await client.db('admin').command({ hello: 1 });
    assert.equal(hello.isWritablePrimary, true);
    const build = await client.db('admin').command({ buildInfo: 1 });
    assert.match(String(build.version), /^\d+\.\d+/);
    await client.db('azb').collection('probe').insertOne({ x: 1 });
    assert.ok(
      readdirSync(join(dir, 'data')).some((f) => f.startsWith('azb')),
      'a file for the database in the data dir',
    );
  });

  it('counts and scans exactly the documents of an _id window', async (t) => {
    const coll = client.db('azb').collection<Document>('windowed');
    const t0 = Date.now();
    await coll.insertMany(ids.map((_id, i) => ({ _id, i, pad: 'x'.repeat(64) })));
    const tInsert = Date.now() - t0;
    assert.equal(await coll.countDocuments(), COUNT);

    const expected = ids.filter((id) => inWindow(id, A, B)).map((id) => id.toHexString());
    assert.ok(expected.length > 1000 && expected.length < COUNT - 1000, `a window in the middle (${expected.length})`);
    const filter = { _id: { $gte: ObjectId.createFromTime(A), $lt: ObjectId.createFromTime(B) } };
    const t1 = Date.now();
    assert.equal(await coll.countDocuments(filter), expected.length);
    const tCount = Date.now() - t1;
    const t2 = Date.now();
    const scanned = await coll
      .find(filter, { projection: { _id: 1 } })
      .sort({ _id: 1 })
      .toArray();
    const tScan = Date.now() - t2;
    assert.deepEqual(
      scanned.map((d) => (d._id as ObjectId).toHexString()),
      expected,
    );
    assert.ok(expected.includes(edges[1]!.toHexString()) && expected.includes(edges[2]!.toHexString()));
    assert.ok(!expected.includes(edges[0]!.toHexString()) && !expected.includes(edges[3]!.toHexString()));
    t.diagnostic(
      `insertMany ${COUNT}: ${tInsert} ms; count of ${expected.length}: ${tCount} ms; sorted scan: ${tScan} ms`,
    );
  });

  it('runs the domain windows as filters: every document in exactly one window', async () => {
    const coll = client.db('azb').collection<Document>('windowed');
    const plan = planObjectIdWindows({
      fromMs: BASE * 1000,
      toMs: (BASE + SPREAD_DAYS * DAY) * 1000,
      windowSeconds: 16 * 3600, // not a divisor of 5 days: the last window is shorter
    });
    assert.ok(plan.ok);
    let total = 0;
    for (const window of plan.windows) {
      const filter = BSON.EJSON.parse(mongoWindowFilterJson(window)) as Document;
      const expected = ids.filter((id) => inWindow(id, window.fromMs / 1000, window.toMs / 1000)).length;
      assert.equal(await coll.countDocuments(filter), expected, `window ${window.index}`);
      total += expected;
    }
    assert.equal(total, COUNT);
    // The last window, up to 2106, has only $gte.
    const last = objectIdWindow({ index: 0, fromMs: B * 1000, toMs: OBJECTID_END_MS });
    assert.equal(last.lt, undefined);
    const open = BSON.EJSON.parse(mongoWindowFilterJson(last)) as Document;
    assert.equal(await coll.countDocuments(open), ids.filter((id) => inWindow(id, B, 2 ** 32)).length);
  });

  it('leaves an _id that is no ObjectId out of every window, where a $type query finds it', async () => {
    const coll = client.db('azb').collection<Document>('mixed');
    await coll.insertMany([
      { _id: ObjectId.createFromTime(A) },
      { _id: ObjectId.createFromTime(A + 1).toHexString() } as Document, // the same text, stored as a string
      { _id: 42 } as Document,
    ]);
    const filter = { _id: { $gte: ObjectId.createFromTime(0), $lt: ObjectId.createFromTime(2 ** 32 - 1) } };
    assert.equal(await coll.countDocuments(filter), 1);
    assert.equal(await coll.countDocuments({ _id: { $not: { $type: 'objectId' } } }), 2);
  });

  it('stops on SIGTERM and frees its port', async () => {
    await client.close();
    await server.stop();
    assert.equal(server.hasExited, true);
    assert.equal(await isPortFree(port), true);
    assert.match(server.logTail(), /ferretdb stopped/);
  });
});
