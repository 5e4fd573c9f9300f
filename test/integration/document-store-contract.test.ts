// One contract for every DocumentStore (src/exports/document-store.ts), run against each implementation on a
// real server this file starts itself (no Temporal stack needed): MongoStore on FerretDB with the mongodb
// driver, CosmosStore on the local Cosmos DB server. For each: a missing container does not exist until
// `ensure`; an empty one has no oldest time; documents seeded in three batches at known times (Mongo: the
// ObjectId's seconds; Cosmos: `_ts`, stamped by the server, so the batches are written a second and more
// apart and the times read back) are each in the window of their batch and nowhere else; consecutive
// windows cut mid-second cover every document once; `readAll`, `timeOf`, `oldestTimeMs` agree; `upsert`
// into a fresh container gives back the same documents (system fields aside) and twice is idempotent;
// `keys` lists every identity once; `delete` removes exactly those asked for, missing ones being no error.
import { CosmosClient } from '@azure/cosmos';
import { MongoClient, ObjectId } from 'mongodb';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { ensureLocalCertificate } from '../../dev/certs';
import { ferretDbConnectionString, startFerretDb } from '../../dev/ferretdb';
import { ManagedProcess } from '../../dev/managed-process';
import { findFreePorts } from '../../dev/ports';
import { waitForPort } from '../../dev/wait';
import { CosmosStore } from '../../src/cosmos/cosmos-store';
import { planWindows } from '../../src/domain/time-windows';
import type { DocumentStore, ExportedDocument } from '../../src/exports/document-store';
import { MongoStore } from '../../src/mongo/mongo-store';

const BATCHES = 3;
const BATCH_SIZE = 40;

/** One implementation on its server. */
interface StoreFixture {
  name: string;
  kind: DocumentStore['kind'];
  start(): Promise<void>;
  stop(): Promise<void>;
  /** A store on a container that does not exist yet. */
  open(container: string): DocumentStore;
  /** Documents of one seed batch, in the store's export format. */
  batch(index: number, size: number): ExportedDocument[];
  /** Between seed batches: Cosmos stamps `_ts` at write time, so the next batch must land in a later second. */
  pause(): Promise<void>;
  /** Where the times of a batch written between beforeMs and afterMs must lie, [min, max] ms. */
  expectedTimes(index: number, written: { beforeMs: number; afterMs: number }): [number, number];
  /** What survives a copy: the document without the fields the service stamps itself. */
  comparable(document: ExportedDocument): ExportedDocument;
}

function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;

/** Mongo: FerretDB (SQLite) on a free port; times are the ObjectIds' seconds, chosen here. */
function mongoFixture(): StoreFixture {
  let dir: ReturnType<typeof tempDir>;
  let server: ManagedProcess;
  let client: MongoClient;
  let connectionString: string;
  const database = unique('contract');
  // Batch 1 is the second right after batch 0 (adjacent bounds), batch 2 a day later.
  const seconds = [Date.parse('2026-11-01T00:00:00Z') / 1000, Date.parse('2026-11-01T00:00:01Z') / 1000];
  seconds.push(seconds[0]! + 86_400);
  return {
    name: 'MongoStore on FerretDB',
    kind: 'mongo',
    async start() {
      dir = tempDir('azb-contract-mongo-');
      const [port] = (await findFreePorts(1)) as [number];
      server = await startFerretDb({ port, dataDir: join(dir.path, 'data'), logDir: dir.path });
      connectionString = ferretDbConnectionString(port);
      client = new MongoClient(connectionString, { serverSelectionTimeoutMS: 20_000 });
      await client.connect();
    },
    async stop() {
      await client?.close();
      await server?.stop();
      dir?.remove();
    },
    open: (container) => new MongoStore(client, connectionString, database, container),
    batch: (index, size) =>
      Array.from({ length: size }, (_, i) => ({
        // The second of the batch, then random bytes: distinct ids within one second, as real ones are.
        _id: { $oid: seconds[index]!.toString(16).padStart(8, '0') + randomBytes(8).toString('hex') },
        batch: { $numberInt: String(index) },
        n: { $numberInt: String(i) },
        price: { $numberDouble: String(i + 0.5) },
        at: { $date: { $numberLong: String(seconds[index]! * 1000 + i) } },
        tags: ['a', { deep: { $numberLong: String(2 ** 53 + i) } }],
      })),
    pause: async () => {},
    expectedTimes: (index) => [seconds[index]! * 1000, seconds[index]! * 1000],
    comparable: (document) => document,
  };
}

/** Cosmos (NoSQL API): the local server with this file's own certificate; times are `_ts`. */
function cosmosFixture(): StoreFixture {
  let dir: ReturnType<typeof tempDir>;
  let server: ManagedProcess;
  let client: CosmosClient;
  let endpoint: string;
  const database = unique('contract');
  const system = new Set(['_rid', '_self', '_etag', '_attachments', '_ts', '_lsn']);
  return {
    name: 'CosmosStore on the local Cosmos DB server',
    kind: 'cosmos-sql',
    async start() {
      dir = tempDir('azb-contract-cosmos-');
      const cert = await ensureLocalCertificate(join(dir.path, 'tls'));
      const [port] = (await findFreePorts(1)) as [number];
      const root = join(__dirname, '..', '..');
      server = new ManagedProcess({
        name: 'Cosmos DB server',
        command: process.execPath,
        args: [
          ...['--import', 'tsx', join(root, 'dev', 'cosmos-server-main.ts'), '--port', String(port)],
          ...['--cert-file', cert.certFile, '--key-file', cert.keyFile],
        ],
        logFile: join(dir.path, 'cosmos.log'),
        cwd: root,
      });
      await waitForPort(server, port);
      endpoint = `https://127.0.0.1:${port}`;
      client = new CosmosClient({ endpoint, key: 'bG9jYWw=', agent: new Agent({ ca: cert.cert, keepAlive: true }) });
    },
    async stop() {
      client?.dispose();
      await server?.stop();
      dir?.remove();
    },
    open: (container) => new CosmosStore(client, endpoint, database, container),
    batch: (index, size) =>
      Array.from({ length: size }, (_, i) => ({
        id: `b${index}-${i}`,
        tenant: `t${i % 3}`,
        batch: index,
        n: i,
        price: i + 0.5,
        tags: ['a', { deep: [1, 2, { text: 'grüße' }] }],
      })),
    // `_ts` is whole seconds: more than a second after the last write, the next batch is in a later second.
    pause: () => sleep(1_100),
    expectedTimes: (_index, { beforeMs, afterMs }) => [Math.floor(beforeMs / 1000) * 1000, afterMs],
    comparable: (document) => Object.fromEntries(Object.entries(document).filter(([k]) => !system.has(k))),
  };
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

async function* asAsync<T>(items: readonly T[]): AsyncIterable<T> {
  yield* items;
}

/** Documents by key, comparable; fails on a key seen twice. */
function byKey(store: DocumentStore, documents: ExportedDocument[], fixture: StoreFixture) {
  const map = new Map<string, ExportedDocument>();
  for (const document of documents) {
    const key = store.keyOf(document);
    assert.ok(!map.has(key), `${key} read twice`);
    map.set(key, fixture.comparable(document));
  }
  return map;
}

const sortedKeys = (store: DocumentStore, documents: ExportedDocument[]) => documents.map((d) => store.keyOf(d)).sort();

for (const fixture of [mongoFixture(), cosmosFixture()]) {
  describe(`DocumentStore contract: ${fixture.name}`, () => {
    let source: DocumentStore;
    /** The seeded documents as written, per batch, and every document as read back. */
    const written: ExportedDocument[][] = [];
    let all: ExportedDocument[];
    let times: Map<string, number>;

    before(async () => {
      const t0 = Date.now();
      await fixture.start();
      console.log(`${fixture.name}: server ready in ${Date.now() - t0} ms`);
      source = fixture.open(unique('source'));
    });
    after(() => fixture.stop());

    it('a missing container does not exist until ensure creates it; an empty one has no oldest time', async () => {
      assert.equal(source.kind, fixture.kind);
      assert.equal(await source.exists(), false);
      await source.ensure({ shape: { partitionKeyPath: '/tenant' } });
      assert.equal(await source.exists(), true);
      await source.ensure({ shape: { partitionKeyPath: '/tenant' } }); // again: nothing to do
      assert.equal(await source.oldestTimeMs(), undefined);
      assert.deepEqual(await collect(source.readAll()), []);
      assert.deepEqual(await collect(source.keys()), []);
      assert.equal(source.location.container.startsWith('source-'), true);
    });

    it('seeds three batches at known times; timeOf, readAll and oldestTimeMs agree with them', async () => {
      const bounds: [number, number][] = [];
      for (let b = 0; b < BATCHES; b++) {
        if (b > 0) await fixture.pause();
        const documents = fixture.batch(b, BATCH_SIZE);
        const beforeMs = Date.now();
        const progress: number[] = [];
        assert.equal(await source.upsert(asAsync(documents), { onProgress: (n) => progress.push(n) }), BATCH_SIZE);
        bounds.push(fixture.expectedTimes(b, { beforeMs, afterMs: Date.now() }));
        assert.equal(progress.at(-1), BATCH_SIZE, 'onProgress ends at the count written');
        assert.deepEqual(
          progress,
          [...progress].sort((x, y) => x - y),
          'onProgress counts up',
        );
        written.push(documents);
      }
      all = await collect(source.readAll());
      assert.equal(all.length, BATCHES * BATCH_SIZE);
      // What was written is what readAll gives (the service's own fields aside).
      assert.deepEqual(byKey(source, all, fixture), byKey(source, written.flat(), fixture));
      times = new Map(all.map((d) => [source.keyOf(d), source.timeOf(d)!]));
      for (let b = 0; b < BATCHES; b++) {
        for (const document of written[b]!) {
          const time = times.get(source.keyOf(document));
          assert.ok(time !== undefined && time % 1000 === 0, `a whole second for ${source.keyOf(document)}`);
          assert.ok(time >= bounds[b]![0] && time <= bounds[b]![1], `batch ${b}: ${time} in ${bounds[b]}`);
        }
      }
      const batchMax = (b: number) => Math.max(...written[b]!.map((d) => times.get(source.keyOf(d))!));
      const batchMin = (b: number) => Math.min(...written[b]!.map((d) => times.get(source.keyOf(d))!));
      for (let b = 1; b < BATCHES; b++) assert.ok(batchMin(b) > batchMax(b - 1), `batch ${b} is later`);
      assert.equal(await source.oldestTimeMs(), batchMin(0));
    });

    it('a window holds exactly the documents written in it, in a stable order', async () => {
      const batchTimes = written.map((documents) => documents.map((d) => times.get(source.keyOf(d))!));
      for (let b = 0; b < BATCHES; b++) {
        const fromMs = Math.min(...batchTimes[b]!);
        const toMs = b + 1 < BATCHES ? Math.min(...batchTimes[b + 1]!) : Math.max(...batchTimes[b]!) + 1000;
        const first = await collect(source.readWindow({ fromMs, toMs }));
        assert.deepEqual(sortedKeys(source, first), sortedKeys(source, written[b]!), `batch ${b}'s window`);
        const again = await collect(source.readWindow({ fromMs, toMs }));
        assert.deepEqual(
          again.map((d) => source.keyOf(d)),
          first.map((d) => source.keyOf(d)),
          'the same order on a second read',
        );
      }
      const last = Math.max(...batchTimes.flat());
      assert.deepEqual(await collect(source.readWindow({ fromMs: last + 1000, toMs: last + 60_000 })), []);
      assert.deepEqual(await collect(source.readWindow({ fromMs: 0, toMs: Math.min(...batchTimes[0]!) })), []);
    });

    it('consecutive windows, cut mid-second, cover every document once: each in the window of its time', async () => {
      const oldest = (await source.oldestTimeMs())!;
      const newest = Math.max(...times.values());
      // One-second windows cut mid-second over the first seconds, then ten longer ones to past the newest.
      const fine = planWindows({
        fromMs: oldest - 700,
        toMs: Math.min(newest, oldest + 20_000) + 300,
        windowSeconds: 1,
      });
      assert.ok(fine.ok);
      const fineEnd = fine.windows.at(-1)!.toMs;
      const rest = planWindows({
        fromMs: fineEnd,
        toMs: newest + 1_300,
        windowSeconds: Math.max(1, Math.ceil((newest + 1_300 - fineEnd) / 10_000)),
      });
      assert.ok(rest.ok);
      const windows = [...fine.windows, ...rest.windows].map((w, index) => ({ ...w, index }));
      windows.forEach((w, i) => assert.ok(i === 0 || w.fromMs === windows[i - 1]!.toMs, 'consecutive'));
      const seen = new Map<string, number>();
      for (const window of windows) {
        for (const document of await collect(source.readWindow(window))) {
          const key = source.keyOf(document);
          assert.ok(!seen.has(key), `${key} in windows ${seen.get(key)} and ${window.index}`);
          seen.set(key, window.index);
          const time = source.timeOf(document)!;
          assert.ok(time >= window.fromMs && time < window.toMs, `${key} at ${time} in window ${window.index}`);
        }
      }
      assert.equal(seen.size, all.length, 'no gap: every document in some window');
    });

    it('upsert into a fresh container gives the same documents back; upserting twice is idempotent', async () => {
      const target = fixture.open(unique('target'));
      assert.equal(await target.exists(), false);
      await target.ensure({ shape: await source.shape?.() });
      const progress: number[] = [];
      assert.equal(await target.upsert(asAsync(all), { onProgress: (n) => progress.push(n) }), all.length);
      assert.equal(progress.at(-1), all.length);
      const copied = await collect(target.readAll());
      assert.deepEqual(byKey(target, copied, fixture), byKey(source, all, fixture));

      // 120 documents: more than one write batch, and the second pass replaces existing ones (FerretDB never
      // answered a command replacing more than 100 existing documents: MongoStore's batches stay at 100).
      assert.equal(await target.upsert(asAsync(all)), all.length, 'the same count again');
      const twice = await collect(target.readAll());
      assert.equal(twice.length, all.length, 'no duplicates');
      assert.deepEqual(byKey(target, twice, fixture), byKey(source, all, fixture));
    });

    it('keys lists every identity once; delete removes exactly those, a missing one is no error', async () => {
      const keys = await collect(source.keys());
      assert.equal(new Set(keys).size, keys.length, 'no key twice');
      assert.deepEqual([...keys].sort(), sortedKeys(source, all));

      const doomed = written[0]!.slice(0, 7).map((d) => source.keyOf(d));
      const absent = source.keyOf(neverWritten(fixture.batch(0, 1)[0]!));
      const progress: number[] = [];
      assert.equal(await source.delete([...doomed, absent], { onProgress: (n) => progress.push(n) }), doomed.length);
      assert.equal(progress.at(-1), doomed.length);
      const left = await collect(source.keys());
      assert.deepEqual([...left].sort(), [...keys].filter((k) => !doomed.includes(k)).sort());
      assert.equal(await source.delete(doomed), 0, 'deleting them again deletes nothing and fails nothing');
      assert.equal((await collect(source.readAll())).length, all.length - doomed.length);
    });
  });
}

/** A document of the fixture's shape that was never written (a fresh id). */
function neverWritten(document: ExportedDocument): ExportedDocument {
  if ('_id' in document) return { ...document, _id: { $oid: new ObjectId().toHexString() } };
  return { ...document, id: `never-${randomBytes(4).toString('hex')}` };
}
