// `npm run record-histories`: runs every workflow kind on a private local stack and saves their
// histories (parents, continued runs and one child of each kind) to test/replay/histories/, which the
// replay test replays against the current bundle. Rerecord after an intended change to workflow code,
// and say so in the commit: until then a change that would break running workflows fails CI.
import '../../src/lib/check-node';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode } from '@temporalio/worker';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requestBackup } from '../../src/triggers/request-backup';
import { seedBlobs } from '../../dev/seed';
import { startStack } from '../../dev/stack';
import { parseConfig } from '../../src/config/load';
import { createWorker } from '../../src/workers/create-worker';
import { applyRetention } from '../../src/workflows/apply-retention';
import { backupCosmosContainer, restoreCosmos } from '../../src/workflows/backup-cosmos';
import { backupMongoCollection, restoreMongo } from '../../src/workflows/backup-mongo';
import { ObjectId } from 'mongodb';
import { backupContainer } from '../../src/workflows/backup-container';
import { applyPipelineRetention, restorePipelineBackup, runBackupPipeline } from '../../src/workflows/backup-pipeline';
import { reconcileContainer } from '../../src/workflows/reconcile-container';
import { restoreContainer } from '../../src/workflows/restore-container';
import { restoreDrill } from '../../src/workflows/restore-drill';
import { scrubBackup } from '../../src/workflows/scrub-backup';

const out = join(__dirname, 'histories');

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'azbackup-record-'));
  const stack = await startStack({ dataDir, ports: 'random', log: (m) => console.log(m) });
  try {
    const config = parseConfig(stack.config);
    const bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../../src/workflows') });
    const taskQueue = 'record-histories';
    const azWorker = await createWorker({ config, taskQueue, workflowBundle: bundle });
    const running = azWorker.worker.run();
    const connection = await Connection.connect({ address: config.temporal.address });
    const client = new Client({ connection, namespace: config.temporal.namespace });
    try {
      for (const f of readdirSync(out)) if (f.endsWith('.pb')) rmSync(join(out, f));
      // Replay needs each history's workflow id: child ids derive from it.
      const ids: Record<string, string> = {};
      const source = azWorker.connections.blob('source').service.getContainerClient('photos');
      await source.createIfNotExists();
      await seedBlobs(source, { count: 12, prefix: 'p/' });
      const save = async (name: string, workflowId: string, runId?: string) => {
        const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
        // Binary protobuf: exact, and free of the JSON converter's protobufjs version clash.
        writeFileSync(join(out, `${name}.pb`), temporal.api.history.v1.History.encode(history).finish());
        ids[`${name}.pb`] = workflowId;
        writeFileSync(join(out, 'workflow-ids.json'), `${JSON.stringify(ids, null, 2)}\n`);
        console.log(`recorded ${name} (${history.events?.length} events)`);
      };
      /** Runs a workflow to its end; saves its first run and, when it continued as new, its last. */
      const run = async (
        name: string,
        start: () => Promise<{ workflowId: string; firstExecutionRunId: string; result(): Promise<unknown> }>,
      ) => {
        const handle = await start();
        await handle.result();
        await save(name, handle.workflowId, handle.firstExecutionRunId);
        const last = (await client.workflow.getHandle(handle.workflowId).describe()).runId;
        if (last !== handle.firstExecutionRunId) await save(`${name}-continued`, handle.workflowId, last);
        return handle;
      };
      const backupInput = { source: 'source', container: 'photos', backup: 'backup', pageSize: 4, maxPagesPerRun: 2 };
      const backup = await run('backupContainer', () =>
        client.workflow.start(backupContainer, { taskQueue, workflowId: 'rec-backup-1', args: [backupInput] }),
      );
      await save('backupContainerPage', await firstChildId(client, backup));
      await source.getBlockBlobClient('p/changed').upload('changed', 7);
      await run('reconcileContainer', () =>
        client.workflow.start(reconcileContainer, { taskQueue, workflowId: 'rec-reconcile', args: [backupInput] }),
      );
      const restore = await run('restoreContainer', () =>
        client.workflow.start(restoreContainer, {
          taskQueue,
          workflowId: 'rec-restore',
          args: [
            {
              backup: 'backup',
              source: { account: 'source', container: 'photos' },
              target: { connection: 'source', container: 'photos-restored' },
              maxPagesPerRun: 1,
            },
          ],
        }),
      );
      await save('restoreContainerPage', await firstChildId(client, restore));
      await run('restoreDrill', () =>
        client.workflow.start(restoreDrill, {
          taskQueue,
          workflowId: 'rec-drill',
          args: [
            { backup: 'backup', source: { account: 'source', container: 'photos' }, sample: { count: 3, seed: 7 } },
          ],
        }),
      );
      const scrub = await run('scrubBackup', () =>
        client.workflow.start(scrubBackup, {
          taskQueue,
          workflowId: 'rec-scrub',
          args: [{ backup: 'backup', source: { account: 'source', container: 'photos' }, maxPagesPerRun: 2 }],
        }),
      );
      await save('scrubBackupPage', await firstChildId(client, scrub));
      // A Cosmos DB export in 1 s windows (continued as new after each), and its restore.
      const cosmos = azWorker.connections.cosmos('cosmos');
      const { database } = await cosmos.databases.createIfNotExists({ id: 'shop' });
      const { container } = await database.containers.createIfNotExists({
        id: 'orders',
        partitionKey: { paths: ['/tenant'] },
      });
      for (let batch = 0; batch < 2; batch++) {
        for (let i = 0; i < 10; i++) await container.items.upsert({ id: `o${batch}-${i}`, tenant: `t${i % 3}` });
        await new Promise((r) => setTimeout(r, 1100));
      }
      const exported = await run('backupCosmosContainer', () =>
        client.workflow.start(backupCosmosContainer, {
          taskQueue,
          workflowId: 'rec-cosmos',
          args: [
            {
              cosmos: 'cosmos',
              database: 'shop',
              container: 'orders',
              backup: 'backup',
              windowSeconds: 1,
              settleSeconds: 0,
              maxWindowsPerRun: 1,
              encryptionKey: 'local',
            },
          ],
        }),
      );
      await save('exportDocumentWindow', await firstChildId(client, exported));
      const account = ((await exported.result()) as { account: string }).account;
      await run('restoreCosmos', () =>
        client.workflow.start(restoreCosmos, {
          taskQueue,
          workflowId: 'rec-cosmos-restore',
          args: [
            {
              backup: 'backup',
              source: { account, database: 'shop', container: 'orders' },
              target: { connection: 'cosmos', database: 'shop', container: 'orders-restored' },
              maxWindowsPerRun: 1,
            },
          ],
        }),
      );
      // A Cosmos DB for MongoDB export in 1 h ObjectId windows (continued as new after each), and its restore.
      const events = azWorker.connections.mongo('mongo').db('shop').collection('events');
      const now = Math.floor(Date.now() / 1000);
      await events.insertMany([
        ...Array.from({ length: 10 }, (_, i) => ({ _id: ObjectId.createFromTime(now - 7200 + i * 600) })),
        { _id: 'legacy' as never },
      ]);
      const mongoExport = await run('backupMongoCollection', () =>
        client.workflow.start(backupMongoCollection, {
          taskQueue,
          workflowId: 'rec-mongo',
          args: [
            {
              mongo: 'mongo',
              database: 'shop',
              collection: 'events',
              backup: 'backup',
              windowSeconds: 3600,
              settleSeconds: 0,
              maxWindowsPerRun: 1,
            },
          ],
        }),
      );
      const mongoAccount = ((await mongoExport.result()) as { account: string }).account;
      await run('restoreMongo', () =>
        client.workflow.start(restoreMongo, {
          taskQueue,
          workflowId: 'rec-mongo-restore',
          args: [
            {
              backup: 'backup',
              source: { account: mongoAccount, database: 'shop', container: 'events' },
              target: { connection: 'mongo', database: 'shop', container: 'events_restored' },
              maxWindowsPerRun: 1,
            },
          ],
        }),
      );
      // A trigger: one request, its backup as a child, then a short linger and the end.
      await run('backupTrigger', async () => {
        const sent = await requestBackup(client, {
          taskQueue,
          trigger: { source: 'source', container: 'photos', backup: 'backup', lingerSeconds: 1 },
          request: { prefix: 'p/', requestedBy: 'record-histories', at: '2026-12-01T00:00:00Z' },
        });
        const handle = client.workflow.getHandle(sent.workflowId);
        return { workflowId: sent.workflowId, firstExecutionRunId: sent.runId, result: () => handle.result() };
      });
      // A backup pipeline (a command's output through gzip and AES-256-GCM into the backup account), its
      // restore checked through both digests, and its retention.
      const pipelineSink = { kind: 'blob', connection: 'backup', container: 'azbackup' };
      await run('runBackupPipeline', () =>
        client.workflow.start(runBackupPipeline, {
          taskQueue,
          workflowId: 'rec-pipeline',
          args: [
            {
              name: 'notes',
              source: { kind: 'command', command: ['sh', '-c', 'echo notes'] },
              filters: [{ kind: 'gzip' }, { kind: 'aes-256-gcm', key: 'local' }],
              sink: pipelineSink,
            },
          ],
        }),
      );
      await run('restorePipelineBackup', () =>
        client.workflow.start(restorePipelineBackup, {
          taskQueue,
          workflowId: 'rec-pipeline-restore',
          args: [{ name: 'notes', sink: pipelineSink, target: { kind: 'verify' } }],
        }),
      );
      await run('applyPipelineRetention', () =>
        client.workflow.start(applyPipelineRetention, {
          taskQueue,
          workflowId: 'rec-pipeline-retention',
          args: [{ name: 'notes', sink: pipelineSink, policy: { keepLast: 1 } }],
        }),
      );
      await run('applyRetention', () =>
        client.workflow.start(applyRetention, {
          taskQueue,
          workflowId: 'rec-retention',
          args: [
            {
              backup: 'backup',
              source: { account: 'source', container: 'photos' },
              policy: { keepLast: 1 },
              gracePeriodMs: 5000,
            },
          ],
        }),
      );
    } finally {
      azWorker.worker.shutdown();
      await running;
      await azWorker.close();
      await connection.close();
    }
  } finally {
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The id of the first child workflow a workflow's first run started (read from its history). */
async function firstChildId(client: Client, run: { workflowId: string; firstExecutionRunId: string }) {
  const history = await client.workflow.getHandle(run.workflowId, run.firstExecutionRunId).fetchHistory();
  for (const event of history.events ?? []) {
    const id = event.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId;
    if (id) return id;
  }
  throw new Error(`${run.workflowId} started no child workflow`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
