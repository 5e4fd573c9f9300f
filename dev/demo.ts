// `npm run demo`: the whole path on the local stack. Starts Temporal, Azurite, Cosmos, the ADF stand-in
// and a worker; seeds blobs into the `source` account; runs backupContainer through the Temporal client;
// prints the counts and where to see the run; stops everything (`-- --keep` leaves it running).
import '../src/lib/check-node';
import { Client, Connection } from '@temporalio/client';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseConfig } from '../src/config/load';
import { ConnectionRegistry } from '../src/storage/connections';
import { backupProgress } from '../src/cli/progress-command';
import { waitWithProgress } from '../src/cli/start-workflow';
import { backupContainer, type BackupContainerResult, type BackupProgress } from '../src/workflows/backup-container';
import { devDataDir } from './dev-dir';
import { seedBlobs } from './seed';
import { startStack, type LocalStack } from './stack';
import { shutdownSignal, startWorkerProcess } from './worker-process';
import type { ManagedProcess } from './managed-process';

const BLOBS = 300;
const CONTAINER = 'photos';

async function main(): Promise<void> {
  const keep = process.argv.includes('--keep');
  const dataDir = devDataDir('demo');
  const t0 = Date.now();
  let stack: LocalStack | undefined;
  let worker: ManagedProcess | undefined;
  const stopAll = async () => {
    await worker?.stop();
    await stack?.stop();
  };
  const interrupted = shutdownSignal().then(async (signal) => {
    console.log(`\n${signal}: stopping the stack...`);
    await stopAll();
    process.exit(130);
  });
  void interrupted;
  try {
    stack = await startStack({ dataDir, ports: 'default', log: (m) => console.log(m) });
    console.log(`Stack ready in ${((Date.now() - t0) / 1000).toFixed(1)} s. Starting the worker...`);
    worker = await startWorkerProcess({
      configFile: stack.configFile,
      logFile: join(stack.dataDir, 'logs', 'worker.log'),
    });

    const config = parseConfig(stack.config);
    const connections = new ConnectionRegistry(config.connections);
    const source = connections.blob('source').service.getContainerClient(CONTAINER);
    console.log(`Seeding ${BLOBS} blobs into source/${CONTAINER}...`);
    await seedBlobs(source, { count: BLOBS, prefix: 'camera/2026-11/' });

    const connection = await Connection.connect({ address: config.temporal.address });
    const client = new Client({ connection, namespace: config.temporal.namespace });
    const workflowId = `demo-backup-${CONTAINER}-${Date.now()}`;
    const handle = await client.workflow.start(backupContainer, {
      taskQueue: config.temporal.taskQueue,
      workflowId,
      args: [{ source: 'source', container: CONTAINER, backup: 'backup', pageSize: 100 }],
      staticSummary: `Back up source/${CONTAINER} to the backup account`,
    });
    const result = await waitWithProgress<BackupContainerResult, BackupProgress>(handle, backupProgress);
    const backup = connections.blob('backup').service.getContainerClient(result.backupContainer);
    let inBackup = 0;
    for await (const _ of backup.listBlobsFlat({ prefix: 'data/' })) inBackup++;
    connections.close();
    await connection.close();

    const uiLink = `${stack.temporal.uiUrl}/namespaces/${config.temporal.namespace}/workflows/${workflowId}`;
    console.log(`
Backup finished: listed ${result.listed}, snapshotted ${result.snapshotted}, copied ${result.copied}, skipped ${result.skipped}, failed ${result.failed}, ${result.bytesCopied} bytes in ${result.pages} pages (${result.elapsedMs} ms); ${result.verified ? 'every copy verified' : 'NOT verified'}.
Copies now in backup/${result.backupContainer}: ${inBackup}
Catalog manifest: ${result.manifest}
Workflow id:  ${workflowId}
Temporal UI:  ${uiLink}`);
    if (stack.temporal.cliPath) {
      // What the server itself says of the run, as a user would check it.
      const list = [stack.temporal.cliPath, 'workflow', 'list', '--address', config.temporal.address];
      const query = ['--query', `WorkflowId = '${workflowId}'`];
      const { stdout } = await promisify(execFile)(list[0]!, [...list.slice(1), ...query]);
      console.log(
        `\n$ ${[...list, ...query.map((q) => (q.includes(' ') ? `"${q}"` : q))].join(' ')}\n${stdout.trimEnd()}`,
      );
    }
    if (!result.verified || inBackup !== BLOBS) {
      throw new Error(`demo check failed: verified ${result.verified}, ${inBackup} copies in the backup container`);
    }
    if (keep) {
      console.log(`\n--keep: the stack and the worker keep running (config: ${stack.configFile}). Ctrl-C to stop.`);
      await new Promise(() => {}); // until the signal handler exits
    }
  } finally {
    if (!keep) await stopAll();
  }
  console.log(`Demo done in ${((Date.now() - t0) / 1000).toFixed(1)} s; the stack is stopped.`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(`\nDemo failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
