// The whole local stack in one call: Temporal (with UI), Azurite, the Cosmos DB server, a MongoDB wire
// server (FerretDB) and the ADF stand-in, plus the azbackup config that points at them. Used by `npm run dev`, the demo, tests, benches.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { ConfigInput } from '../src/config/schema';
import { startAzurite, azuriteConnectionString, azuriteQueueConnectionString } from './azurite';
import { ensureLocalCertificate } from './certs';
import { ferretDbConnectionString, startFerretDb } from './ferretdb';
import { ManagedProcess } from './managed-process';
import { assertPortFree, findFreePorts } from './ports';
import { startTemporalServer, type RunningTemporal } from './temporal-server';
import { waitForPort } from './wait';

export interface StackPorts {
  temporal: number;
  temporalUi: number;
  azurite: number;
  azuriteQueue: number;
  cosmos: number;
  mongo: number;
  adf: number;
}

export const DEFAULT_PORTS: StackPorts = {
  temporal: 7233,
  temporalUi: 8233,
  azurite: 10000,
  azuriteQueue: 10001,
  cosmos: 8081,
  mongo: 27017,
  adf: 8443,
};

const PORT_ENV: Record<keyof StackPorts, string> = {
  temporal: 'AZBACKUP_TEMPORAL_PORT',
  temporalUi: 'AZBACKUP_TEMPORAL_UI_PORT',
  azurite: 'AZBACKUP_AZURITE_PORT',
  azuriteQueue: 'AZBACKUP_AZURITE_QUEUE_PORT',
  cosmos: 'AZBACKUP_COSMOS_PORT',
  mongo: 'AZBACKUP_MONGO_PORT',
  adf: 'AZBACKUP_ADF_PORT',
};

const COMPONENT: Record<keyof StackPorts, string> = {
  temporal: 'Temporal frontend',
  temporalUi: 'Temporal web UI',
  azurite: 'Azurite blob service',
  azuriteQueue: 'Azurite queue service',
  cosmos: 'Cosmos DB server',
  mongo: 'MongoDB wire server (FerretDB)',
  adf: 'ADF stand-in',
};

/** The Cosmos DB emulator's published key; the local server accepts any key. */
export const LOCAL_COSMOS_KEY =
  'C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==';

export interface StartStackOptions {
  /** Where logs, certificates, the config file and (when persistent) data go. */
  dataDir: string;
  /** Keep Temporal and Azurite state on disk in dataDir (dev); in memory otherwise (tests, demo). */
  persistent?: boolean;
  /** 'default': 7233/8233/10000/8081/8443 with AZBACKUP_*_PORT overrides; 'random': free ports (tests). */
  ports?: 'default' | 'random' | StackPorts;
  namespace?: string;
  log?: (message: string) => void;
}

export interface LocalStack {
  ports: StackPorts;
  temporal: RunningTemporal;
  /** The azbackup configuration for this stack (connections source, backup, devstore, cosmos, adf). */
  config: ConfigInput;
  configFile: string;
  caFile: string;
  dataDir: string;
  processes(): ManagedProcess[];
  /**
   * Stops one component (SIGTERM, as an orchestrator would) and starts it again on the same port with the
   * same on-disk state, after `downForMs` (default 0) of outage: soak tests of a storage or Temporal outage.
   * Persistent stacks only (in memory, the state would be gone). `temporal` then describes the new server.
   */
  restart(component: RestartableComponent, options?: { downForMs?: number }): Promise<void>;
  stop(): Promise<void>;
}

export type RestartableComponent = 'azurite' | 'temporal';

export async function startStack(options: StartStackOptions): Promise<LocalStack> {
  const log = options.log ?? (() => {});
  const dataDir = options.dataDir;
  const logDir = join(dataDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const ports = await resolvePorts(options.ports ?? 'default');
  // Every port is checked before anything starts: a clash fails fast, with nothing to clean up.
  for (const key of Object.keys(ports) as (keyof StackPorts)[]) {
    await assertPortFree(
      ports[key],
      COMPONENT[key],
      options.ports === 'default' || !options.ports ? PORT_ENV[key] : undefined,
    );
  }
  const cert = await ensureLocalCertificate(join(dataDir, 'tls'));
  const started: { stop(): Promise<void> }[] = [];
  // What restart() replaces; the stop entries in `started` go through it.
  const current: { temporal?: RunningTemporal; azurite?: ManagedProcess } = {};
  const processes: ManagedProcess[] = [];
  const stopAll = async () => {
    await Promise.all(started.splice(0).map((c) => c.stop()));
  };
  try {
    const node = (name: string, script: string, port: number, extra: string[] = []) =>
      new ManagedProcess({
        name,
        command: process.execPath,
        args: ['--import', 'tsx', join(__dirname, script), '--port', String(port), ...extra],
        logFile: join(logDir, `${script.replace(/\W+/g, '-')}.log`),
        cwd: join(__dirname, '..'), // so that `--import tsx` resolves from the project
      });
    const tlsArgs = ['--cert-file', cert.certFile, '--key-file', cert.keyFile];
    const cosmos = node('Cosmos DB server', 'cosmos-server-main.ts', ports.cosmos, tlsArgs);
    // The stand-in performs the copies its pipelines describe, against this stack (the config written below).
    const adf = node('ADF stand-in', 'adf-standin/main.ts', ports.adf, [
      ...tlsArgs,
      '--config-file',
      join(dataDir, 'azbackup.local.yaml'),
    ]);
    started.push(cosmos, adf);
    processes.push(cosmos, adf);
    log(`Starting Temporal, Azurite, Cosmos DB server, MongoDB wire server and ADF stand-in (logs in ${logDir})...`);
    // In memory (tests, demo), FerretDB's SQLite files go in a fresh directory of the stack's.
    const mongoDir = join(dataDir, 'ferretdb');
    if (!options.persistent) rmSync(mongoDir, { recursive: true, force: true });
    const startTemporal = () =>
      startTemporalServer({
        port: ports.temporal,
        uiPort: ports.temporalUi,
        namespace: options.namespace ?? 'default',
        dbFile: options.persistent ? join(dataDir, 'temporal.db') : undefined,
        logDir,
        log,
      });
    const startBlobService = () =>
      startAzurite({
        port: ports.azurite,
        location: options.persistent ? join(dataDir, 'azurite') : undefined,
        logDir,
      });
    // Producer triggers read Event Grid messages from queues: Azurite's queue service, its own process.
    const startQueueService = () =>
      startAzurite(
        {
          port: ports.azuriteQueue,
          location: options.persistent ? join(dataDir, 'azurite-queue') : undefined,
          logDir,
        },
        'queue',
      );
    const [temporalStart, azuriteStart, mongoStart, ...others] = await Promise.allSettled([
      startTemporal(),
      startBlobService(),
      startFerretDb({ port: ports.mongo, dataDir: mongoDir, logDir, log }),
      waitForPort(cosmos, ports.cosmos),
      waitForPort(adf, ports.adf),
      startQueueService().then((q) => {
        started.push(q);
        processes.push(q);
      }),
    ]);
    if (mongoStart.status === 'fulfilled') {
      started.push(mongoStart.value);
      processes.push(mongoStart.value);
    }
    if (temporalStart.status === 'fulfilled') {
      current.temporal = temporalStart.value;
      started.push({ stop: async () => current.temporal?.stop() });
      if (temporalStart.value.process) processes.push(temporalStart.value.process);
    }
    if (azuriteStart.status === 'fulfilled') {
      current.azurite = azuriteStart.value;
      started.push({ stop: async () => current.azurite?.stop() });
      processes.push(azuriteStart.value);
    }
    const failure = [temporalStart, azuriteStart, mongoStart, ...others].find((r) => r.status === 'rejected');
    if (failure) throw failure.reason;
    const temporal = (temporalStart as PromiseFulfilledResult<RunningTemporal>).value;
    const config = localConfig(ports, temporal, cert.certFile, ensureLocalKey(join(dataDir, 'keys')));
    const restart = async (component: RestartableComponent, restartOptions: { downForMs?: number } = {}) => {
      if (!options.persistent)
        throw new Error(`restart(${component}) needs a persistent stack: its state is in memory`);
      if (component === 'azurite') {
        await current.azurite?.stop();
        current.azurite = undefined;
        await new Promise((r) => setTimeout(r, restartOptions.downForMs ?? 0));
        current.azurite = await startBlobService();
        processes.push(current.azurite);
      } else {
        await current.temporal?.stop();
        current.temporal = undefined;
        await new Promise((r) => setTimeout(r, restartOptions.downForMs ?? 0));
        current.temporal = await startTemporal();
        if (current.temporal.process) processes.push(current.temporal.process);
      }
    };
    const configFile = join(dataDir, 'azbackup.local.yaml');
    writeFileSync(
      configFile,
      `# Written by the azbackup dev stack; local development keys only.\n${stringify(config)}`,
    );
    return {
      ports,
      get temporal() {
        return current.temporal ?? temporal;
      },
      config,
      configFile,
      caFile: cert.certFile,
      dataDir,
      processes: () => processes.filter((p) => !p.hasExited),
      restart,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** The azbackup config pointing at a stack (docker-compose.yml's worker config follows its names: a unit test). */
export function localConfig(
  ports: StackPorts,
  temporal: Pick<RunningTemporal, 'address' | 'namespace' | 'uiUrl'>,
  caFile: string,
  keyFile: string,
): ConfigInput {
  return {
    // An encryption key for exports, by name; the material stays in a file of the stack's.
    keys: { local: { source: 'file', path: keyFile } },
    temporal: {
      address: temporal.address,
      namespace: temporal.namespace,
      taskQueue: 'azbackup',
      uiUrl: temporal.uiUrl,
    },
    connections: {
      source: { kind: 'blob', connectionString: azuriteConnectionString(ports.azurite, 'source') },
      backup: { kind: 'blob', connectionString: azuriteConnectionString(ports.azurite, 'backup') },
      devstore: { kind: 'blob', connectionString: azuriteConnectionString(ports.azurite, 'devstoreaccount1') },
      // The source account's queue service: Event Grid BlobCreated messages for worker.queueTriggers.
      events: { kind: 'queue', connectionString: azuriteQueueConnectionString(ports.azuriteQueue, 'source') },
      cosmos: { kind: 'cosmos', endpoint: `https://127.0.0.1:${ports.cosmos}`, key: LOCAL_COSMOS_KEY, caFile },
      mongo: { kind: 'mongo', connectionString: ferretDbConnectionString(ports.mongo) },
      adf: {
        kind: 'adf',
        subscriptionId: '00000000-0000-0000-0000-000000000000',
        resourceGroup: 'azbackup-dev',
        factoryName: 'azbackup-dev',
        endpoint: `https://127.0.0.1:${ports.adf}`,
        caFile,
        credential: { token: 'local-dev-token' },
      },
    },
  };
}

/** The stack's encryption key: 32 random bytes, made once per data directory (dev keeps it across restarts). */
function ensureLocalKey(dir: string): string {
  const file = join(dir, 'local.key');
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600 });
  }
  return file;
}

async function resolvePorts(choice: NonNullable<StartStackOptions['ports']>): Promise<StackPorts> {
  if (typeof choice === 'object') return choice;
  if (choice === 'random') {
    const [temporal, temporalUi, azurite, cosmos, mongo, adf, azuriteQueue] = (await findFreePorts(7)) as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    return { temporal, temporalUi, azurite, azuriteQueue, cosmos, mongo, adf };
  }
  const ports = { ...DEFAULT_PORTS };
  for (const key of Object.keys(ports) as (keyof StackPorts)[]) {
    const value = process.env[PORT_ENV[key]];
    if (value === undefined) continue;
    const port = Number(value);
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new Error(`${PORT_ENV[key]} must be a port number between 1 and 65535, got ${JSON.stringify(value)}`);
    }
    ports[key] = port;
  }
  return ports;
}
