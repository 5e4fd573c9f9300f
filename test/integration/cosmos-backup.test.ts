// Cosmos DB (NoSQL API) exports on the real stack (Temporal, @vercel/cosmosdb-server with the real
// @azure/cosmos client, Azurite): `_ts` windows that add up to the container, an incremental second run,
// restore into a fresh container equal to the source, encryption (unreadable without the key, a wrong key
// refused before anything is written, tampering rejected), a full export whose restore removes what it
// does not hold, replica mode, and bad input refused before any write.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Container } from '@azure/cosmos';
import { WorkflowFailedError } from '@temporalio/client';
import { ExportCatalog } from '../../src/catalog/export-catalog';
import { exportScope } from '../../src/domain/catalog-layout';
import {
  backupCosmosContainer,
  restoreCosmos,
  type BackupCosmosContainerInput,
} from '../../src/workflows/backup-cosmos';
import type { WindowedRestoreInput } from '../../src/workflows/windowed-restore';
import { useBlobFixture } from '../support/blob-fixture';
import { cli } from '../support/cli';
import { rootApplicationFailure } from '../support/failures';
import { startTestWorker, uniqueName } from '../support/stack';

const SYSTEM = ['_rid', '_self', '_etag', '_attachments', '_ts'];

describe('Cosmos DB export', () => {
  const fixture = useBlobFixture();
  const { bk, backupName } = fixture;
  const cosmos = () => fixture.w.connections.cosmos('cosmos');
  const newContainer = async (database: string, id = uniqueName('c')) => {
    const { database: db } = await cosmos().databases.createIfNotExists({ id: database });
    return (await db.containers.createIfNotExists({ id, partitionKey: { paths: ['/tenant'] } })).container;
  };
  /** Writes `count` documents, in batches a second apart so they span several `_ts` seconds. */
  const seed = async (container: Container, count: number, from = 0, batches = 3) => {
    for (let b = 0; b < batches; b++) {
      for (let i = from + b; i < from + count; i += batches)
        await container.items.upsert({
          id: `doc-${i}`,
          tenant: `t${i % 4}`,
          n: i,
          nested: { tags: [`x${i % 7}`], on: i % 2 === 0 },
        });
      await sleep(1100);
    }
  };
  const contents = async (container: Container) => {
    const { resources } = await container.items.readAll().fetchAll();
    return new Map(
      resources.map((d) => {
        const clean: Record<string, unknown> = { ...d };
        for (const k of SYSTEM) delete clean[k];
        return [`${d.tenant}/${d.id}`, clean];
      }),
    );
  };
  const backup = (input: Omit<BackupCosmosContainerInput, 'cosmos' | 'backup'> & Partial<BackupCosmosContainerInput>) =>
    fixture.w.client.workflow.execute(backupCosmosContainer, {
      taskQueue: fixture.w.taskQueue,
      workflowId: uniqueName('wf-cosmos'),
      args: [
        {
          cosmos: 'cosmos',
          backup: 'backup',
          backupContainer: backupName,
          windowSeconds: 1,
          settleSeconds: 0,
          ...input,
        },
      ],
    });
  const restore = (
    input: Omit<WindowedRestoreInput, 'backup'>,
    taskQueue = fixture.w.taskQueue,
    client = fixture.w.client,
  ) =>
    client.workflow.execute(restoreCosmos, {
      taskQueue,
      workflowId: uniqueName('wf-cosmos-restore'),
      args: [{ backup: 'backup', backupContainer: backupName, ...input }],
    });
  const failure = async (run: Promise<unknown>) => {
    const err = await run.then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof WorkflowFailedError, String(err));
    return rootApplicationFailure(err)!;
  };

  const database = uniqueName('db');
  let source: Container;
  let first: Awaited<ReturnType<typeof backup>>;

  it('exports in _ts windows that add up to the container, encrypted; a second run exports only what is new', async () => {
    source = await newContainer(database);
    await seed(source, 300);
    first = await backup({ database, container: source.id, encryptionKey: 'local' });
    assert.equal(first.documents, 300);
    assert.ok(first.windows >= 3, `windows ${first.windows}`);
    const catalog = new ExportCatalog(bk(), exportScope('cosmos-sql', first.account, database, source.id));
    let sum = 0;
    for (let i = 0; i < first.windows; i++) {
      const w = await catalog.window(first.runKey, i);
      assert.equal(w.toMs - w.fromMs <= 1000, true);
      if (i > 0) assert.equal(w.fromMs, (await catalog.window(first.runKey, i - 1)).toMs, 'no gap, no overlap');
      sum += w.documents;
    }
    assert.equal(sum, 300, "the windows' counts add up to the container");
    // The stored object is ciphertext: neither gzip nor NDJSON.
    const object = (await catalog.window(first.runKey, first.windows - 1)).object!;
    const raw = await bk().getBlobClient(object).downloadToBuffer();
    assert.equal(raw.subarray(0, 8).toString('latin1'), 'AZBKENC1');
    assert.ok(!raw.includes(Buffer.from('"tenant"')), 'no plaintext inside');

    await source.items.upsert({ id: 'doc-5', tenant: 't1', n: 5, nested: { tags: ['changed'], on: false } });
    await seed(source, 20, 300, 1);
    const second = await backup({ database, container: source.id, encryptionKey: 'local' });
    assert.equal(second.fromMs, first.toMs, 'starts where the first run ended');
    assert.equal(second.documents, 21, 'only the 20 new documents and the one changed');
  });

  it('restores into a fresh container, equal to the source (later versions win)', async () => {
    const target = uniqueName('restored');
    const r = await restore({
      source: { account: first.account, database, container: source.id },
      target: { connection: 'cosmos', database, container: target },
    });
    assert.equal(r.upserted, 321);
    const [a, b] = [await contents(source), await contents(cosmos().database(database).container(target))];
    assert.equal(b.size, a.size);
    assert.deepEqual(b, a);
    assert.deepEqual((b.get('t1/doc-5') as { nested: { tags: string[] } }).nested.tags, ['changed']);
  });

  it('refuses a wrong key before writing anything, and tampered ciphertext', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'azb-key-'));
    writeFileSync(join(dir, 'other.key'), randomBytes(32).toString('base64'));
    const wrong = await startTestWorker({ keys: { local: { source: 'file', path: join(dir, 'other.key') } } });
    const target = uniqueName('never');
    try {
      const f = await failure(
        restore(
          {
            source: { account: first.account, database, container: source.id },
            target: { connection: 'cosmos', database, container: target },
          },
          wrong.taskQueue,
          wrong.client,
        ),
      );
      assert.equal(f.nonRetryable, true);
      assert.match(f.message, /authentication failed at chunk 0: wrong key or the data was modified/);
      const exists = await cosmos()
        .database(database)
        .container(target)
        .read()
        .then(
          () => true,
          () => false,
        );
      assert.equal(exists, false, 'nothing was written: not even the target container');
    } finally {
      await wrong.stop();
    }
    // One flipped byte in a stored window: the restore stops at that window, naming it.
    const catalog = new ExportCatalog(bk(), exportScope('cosmos-sql', first.account, database, source.id));
    const w = await catalog.window(first.runKey, 1);
    const blob = bk().getBlockBlobClient(w.object!);
    const bytes = await blob.downloadToBuffer();
    const flipped = Buffer.from(bytes);
    flipped[flipped.length - 40]! ^= 0x01;
    await blob.upload(flipped, flipped.length);
    const tampered = await failure(
      restore({
        source: { account: first.account, database, container: source.id },
        target: { connection: 'cosmos', database, container: uniqueName('tampered') },
      }),
    );
    assert.equal(tampered.type, 'IntegrityFailure');
    assert.match(
      tampered.message,
      new RegExp(`stored bytes of ${w.object!.replace(/[.]/g, '\\.')} does not match the catalog`),
    );
    // Cut short: the same.
    await blob.upload(bytes.subarray(0, bytes.length - 20), bytes.length - 20);
    const truncated = await failure(
      restore({
        source: { account: first.account, database, container: source.id },
        target: { connection: 'cosmos', database, container: uniqueName('cut') },
      }),
    );
    assert.equal(truncated.type, 'IntegrityFailure');
    await blob.upload(bytes, bytes.length);
  });

  it('a full export restores exactly what it holds: documents absent from it are removed from the target', async () => {
    const c = await newContainer(database);
    await seed(c, 40, 0, 1);
    await c.item('doc-3', 't3').delete();
    const full = await backup({ database, container: c.id, mode: 'full', compression: 'none' });
    assert.deepEqual([full.mode, full.windows, full.documents], ['full', 1, 39]);
    const target = await newContainer(database, uniqueName('full-target'));
    await target.items.upsert({ id: 'stray', tenant: 't0', n: -1 });
    await target.items.upsert({ id: 'doc-3', tenant: 't3', n: 3 });
    const r = await restore({
      source: { account: full.account, database, container: c.id },
      target: { connection: 'cosmos', database, container: target.id },
    });
    assert.deepEqual([r.upserted, r.deleted], [39, 2]);
    assert.deepEqual(await contents(target), await contents(c));
  });

  it('replica mode makes the target equal to the source, and stays idempotent', async () => {
    const c = await newContainer(database);
    await seed(c, 60, 0, 2);
    const target = uniqueName('replica');
    const r = await backup({
      database,
      container: c.id,
      mode: 'replica',
      target: { connection: 'cosmos', database, container: target },
    });
    assert.equal(r.documents, 60);
    assert.deepEqual(await contents(cosmos().database(database).container(target)), await contents(c));
    const again = await backup({
      database,
      container: c.id,
      mode: 'replica',
      target: { connection: 'cosmos', database, container: target },
      from: r.from,
      to: r.to,
    });
    assert.equal(again.documents, 60);
    assert.deepEqual(await contents(cosmos().database(database).container(target)), await contents(c));
  });

  it('the CLI exports, lists and restores: backup cosmos, runs cosmos, restore cosmos', async () => {
    const c = await newContainer(database);
    await seed(c, 25, 0, 1);
    const tq = ['--task-queue', fixture.w.taskQueue, '--wait'];
    const exported = await cli([
      'backup',
      'cosmos',
      '--cosmos',
      'cosmos',
      '--database',
      database,
      '--container',
      c.id,
      '--backup',
      'backup',
      '--backup-container',
      backupName,
      '--window-seconds',
      '60',
      '--settle-seconds',
      '0',
      '--encryption-key',
      'local',
      ...tq,
    ]);
    assert.equal(exported.code, 0, exported.out);
    assert.match(exported.out, /export .* windows?, 25 documents/);
    const account = /manifest catalog\/cosmos-sql\/([^/]+)\//.exec(exported.out)![1]!;
    const runs = await cli([
      'runs',
      'cosmos',
      '--backup',
      'backup',
      '--backup-container',
      backupName,
      '--account',
      account,
      '--database',
      database,
      '--container',
      c.id,
      '--json',
    ]);
    assert.equal(runs.code, 0, runs.out);
    assert.deepEqual(
      JSON.parse(runs.out).map((r: { documents: number; encryptionKey: string }) => [r.documents, r.encryptionKey]),
      [[25, 'local']],
    );
    const target = uniqueName('cli-restored');
    const restored = await cli([
      'restore',
      'cosmos',
      '--backup',
      'backup',
      '--backup-container',
      backupName,
      '--account',
      account,
      '--database',
      database,
      '--container',
      c.id,
      '--to',
      `cosmos/${database}/${target}`,
      ...tq,
    ]);
    assert.equal(restored.code, 0, restored.out);
    assert.match(restored.out, /restored as of .*: \d+ windows from 1 run\(s\), 25 documents/);
    assert.deepEqual(await contents(cosmos().database(database).container(target)), await contents(c));
    const wrongKind = await cli([
      'backup',
      'cosmos',
      '--cosmos',
      'backup',
      '--database',
      database,
      '--container',
      c.id,
      '--backup',
      'backup',
    ]);
    assert.equal(wrongKind.code, 2, wrongKind.out);
    assert.match(wrongKind.out, /--cosmos is a blob connection; this needs a cosmos connection/);
  });

  const bad: [string, Partial<BackupCosmosContainerInput>, string, RegExp][] = [
    ['a window of 0 seconds', { windowSeconds: 0 }, 'InvalidInput', /windowSeconds must be a whole number from 1/],
    [
      'from after to',
      { from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' },
      'InvalidInput',
      /from must be before to/,
    ],
    ['an unknown database', { database: 'no-such-db' }, 'SourceNotFound', /no-such-db\/.* does not exist/],
    [
      'an unknown container',
      { container: 'no-such-container' },
      'SourceNotFound',
      /\/no-such-container does not exist/,
    ],
    ['an unknown connection', { cosmos: 'nope' }, 'UnknownConnection', /source\.connection: unknown connection "nope"/],
    [
      'a blob connection as cosmos',
      { cosmos: 'source' },
      'UnknownConnection',
      /is a blob connection, not a cosmos connection/,
    ],
    [
      'an unknown key name',
      { encryptionKey: 'no-such-key' },
      'EncryptionKey',
      /unknown encryption key name no-such-key/,
    ],
    [
      'a key instead of its name',
      { encryptionKey: 'c2VjcmV0IGtleSBtYXRlcmlhbA==' },
      'InvalidInput',
      /encryptionKey must be a key's name/,
    ],
  ];
  for (const [name, input, type, message] of bad) {
    it(`refuses ${name} before any write`, async () => {
      const untouched = uniqueName('bk-never');
      const f = await failure(
        fixture.w.client.workflow.execute(backupCosmosContainer, {
          taskQueue: fixture.w.taskQueue,
          workflowId: uniqueName('wf-cosmos-bad'),
          args: [
            {
              cosmos: 'cosmos',
              database,
              container: source.id,
              backup: 'backup',
              backupContainer: untouched,
              ...input,
            },
          ],
        }),
      );
      assert.equal(f.type, type, f.message);
      assert.equal(f.nonRetryable, true);
      assert.match(f.message, message);
      assert.equal(await fixture.w.connections.blob('backup').service.getContainerClient(untouched).exists(), false);
    });
  }
});
