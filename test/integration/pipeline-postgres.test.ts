// A real database through the backup framework: a throwaway PostgreSQL cluster, `pg_dump -Fc` as the
// source, gzip-free (pg_dump compresses) AES-256-GCM into blob blocks, restored with `pg_restore
// --single-transaction` into a fresh database that compares equal (row counts and per-table checksums).
// A damaged object is refused mid-stream: pg_restore is killed before it sees the end of its input, so
// the target database holds no table at all, not a half restore.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { restorePipelineBackup, runBackupPipeline } from '../../src/workflows/backup-pipeline';
import type { PipelineRestoreInput } from '../../src/domain/pipeline-manifest';
import { useBlobFixture } from '../support/blob-fixture';
import { rootApplicationFailure } from '../support/failures';
import { startPostgres, type PostgresCluster } from '../support/postgres';
import { uniqueName } from '../support/stack';

const SEED = `
  create table customers (id serial primary key, name text not null, email text unique, created timestamptz);
  create table orders (id bigserial primary key, customer int references customers(id), total numeric(12,2),
    items jsonb, note text);
  create table blobs (id int primary key, data bytea);
  insert into customers (name, email, created)
    select 'Kundé ' || i || ' 日本', 'c' || i || '@example.com', '2026-01-01'::timestamptz + i * interval '1 minute'
    from generate_series(1, 20000) i;
  insert into orders (customer, total, items, note)
    select 1 + i % 20000, (i % 997) * 1.25, jsonb_build_object('sku', md5(i::text), 'n', i % 7), md5(i::text)
    from generate_series(1, 80000) i;
  insert into blobs select i, decode(md5(i::text) || md5((i * 7)::text), 'hex') from generate_series(1, 5000) i;
  create index orders_customer on orders(customer);
  create view big_orders as select * from orders where total > 1000;
`;

describe('backup pipeline: PostgreSQL', () => {
  const fixture = useBlobFixture();
  let pg: PostgresCluster;
  before(async () => {
    pg = await startPostgres();
    await pg.sql('postgres', 'create database app');
    await pg.sql('app', SEED);
  });
  after(() => pg?.stop());

  const sink = () => ({ kind: 'blob', connection: 'backup', container: fixture.backupName, blockBytes: 1024 * 1024 });
  /** Row count and an order-independent checksum of every table. */
  const tables = async (database: string) => {
    const names = (await pg.sql(database, "select tablename from pg_tables where schemaname = 'public' order by 1"))
      .split('\n')
      .filter(Boolean);
    const out: Record<string, string> = {};
    for (const t of names)
      out[t] = await pg.sql(
        database,
        `select count(*) || ' ' || coalesce(md5(string_agg(x::text, '|' order by x::text)), '') from ${t} x`,
      );
    return out;
  };
  const restore = (input: Pick<PipelineRestoreInput, 'name' | 'target'> & Partial<PipelineRestoreInput>) =>
    fixture.w.client.workflow.execute(restorePipelineBackup, {
      taskQueue: fixture.w.taskQueue,
      workflowId: uniqueName('wf-pg-restore'),
      args: [{ sink: sink(), ...input }],
    });

  it('backs up through pg_dump and restores into a fresh database that compares equal', async () => {
    const manifest = await fixture.w.client.workflow.execute(runBackupPipeline, {
      taskQueue: fixture.w.taskQueue,
      workflowId: uniqueName('wf-pg'),
      args: [
        {
          name: 'app-db',
          source: { kind: 'command', command: ['pg_dump', '-Fc', ...pg.args('app')] },
          filters: [{ kind: 'aes-256-gcm', key: 'local' }],
          sink: sink(),
        },
      ],
    });
    assert.equal(manifest.sourceDetails.exitCode, 0);
    assert.ok(manifest.plain.bytes > 64 * 1024 * 2, 'several encrypted chunks');

    await pg.sql('postgres', 'create database restored');
    const pgRestore = ['pg_restore', '--single-transaction', '--exit-on-error', '--no-owner'];
    await restore({ name: 'app-db', target: { kind: 'command', command: [...pgRestore, ...pg.args('restored')] } });
    const expected = await tables('app');
    assert.deepEqual(Object.keys(expected), ['blobs', 'customers', 'orders']);
    assert.deepEqual(await tables('restored'), expected);
    assert.equal(
      await pg.sql('restored', 'select count(*) from big_orders'),
      await pg.sql('app', 'select count(*) from big_orders'),
    );

    // Damage the object's last bytes: the first chunks decrypt (pg_restore starts), the end does not.
    const object = fixture.bk().getBlockBlobClient(manifest.object);
    const bytes = await object.downloadToBuffer();
    bytes[bytes.length - 5] = bytes[bytes.length - 5]! ^ 0xff;
    await object.upload(bytes, bytes.length);
    await pg.sql('postgres', 'create database damaged');
    const err = await restore({
      name: 'app-db',
      target: { kind: 'command', command: [...pgRestore, ...pg.args('damaged')] },
    }).catch((e: unknown) => e);
    assert.ok(err instanceof WorkflowFailedError, String(err));
    assert.equal(rootApplicationFailure(err)?.type, 'IntegrityFailure');
    assert.deepEqual(await tables('damaged'), {}, 'pg_restore was stopped before it committed anything');
  });
});
