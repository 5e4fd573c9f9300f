// `npm run dev`: the local stack with state on disk (.azbackup-dev/data) and a worker, until Ctrl-C.
// Other terminals use the written config: AZBACKUP_CONFIG=.azbackup-dev/data/azbackup.local.yaml
import '../src/lib/check-node';
import { join } from 'node:path';
import { devDataDir } from './dev-dir';
import { startStack } from './stack';
import { shutdownSignal, startWorkerProcess } from './worker-process';

async function main(): Promise<void> {
  const withWorker = !process.argv.includes('--no-worker');
  const stopped = shutdownSignal();
  const stack = await startStack({
    dataDir: devDataDir('data'),
    persistent: true,
    ports: 'default',
    log: (m) => console.log(m),
  });
  const worker = withWorker
    ? await startWorkerProcess({ configFile: stack.configFile, logFile: join(stack.dataDir, 'logs', 'worker.log') })
    : undefined;
  const { ports, temporal } = stack;
  console.log(`
azbackup dev stack is running${withWorker ? ' with a worker' : ''}:
  Temporal      ${temporal.address} (namespace ${temporal.namespace})
  Temporal UI   ${temporal.uiUrl}
  Azurite       http://127.0.0.1:${ports.azurite}/{source,backup,devstoreaccount1}
  Queues        http://127.0.0.1:${ports.azuriteQueue}/source (connection events)
  Cosmos DB     https://127.0.0.1:${ports.cosmos} (CA ${stack.caFile})
  ADF stand-in  https://127.0.0.1:${ports.adf}
  Config        ${stack.configFile}
  Logs          ${join(stack.dataDir, 'logs')}
Ctrl-C stops everything.`);
  await stopped;
  console.log('Stopping...');
  await worker?.stop();
  await stack.stop();
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
