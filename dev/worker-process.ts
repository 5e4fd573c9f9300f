// The azbackup worker as a child process (as it runs in production: its own process, configured only by
// the config file and AZBACKUP__* overrides), ready once it reports that it polls. Shared by the dev
// stack, the benchmarks (its peak memory is its alone) and the crash tests (it can be killed).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WORKER_ENV, WORKER_NODE_FLAGS } from '../src/workers/launch-settings';
import { ManagedProcess } from './managed-process';

export interface WorkerProcessOptions {
  configFile: string;
  logFile: string;
  /** Overrides the config's task queue (tests and benchmarks use private ones). */
  taskQueue?: string;
  name?: string;
  /** How long to wait for "polling" in its log (default 120 s). */
  timeoutInMs?: number;
  env?: NodeJS.ProcessEnv;
  /** Run the compiled worker (dist/src/workers/main.js, as the Docker image does) instead of tsx. */
  compiled?: boolean;
  /** With `compiled`: another tsc output directory than dist/ (the tests' own build). */
  distDir?: string;
  /** Another entry point than src/workers/main.ts (the profile benchmark's counting worker). */
  entry?: string;
  /** Node flags before the entry (e.g. --cpu-prof). */
  nodeArgs?: string[];
}

const root = join(__dirname, '..');

export async function startWorkerProcess(options: WorkerProcessOptions): Promise<ManagedProcess> {
  const timeoutInMs = options.timeoutInMs ?? 120_000;
  const worker = new ManagedProcess({
    name: options.name ?? 'azbackup worker',
    command: process.execPath,
    // Started as the Docker image starts it (src/workers/launch-settings.ts), so what tests and
    // benchmarks measure is what ships.
    args: [
      ...WORKER_NODE_FLAGS,
      ...(options.nodeArgs ?? []),
      ...(options.compiled
        ? [join(options.distDir ?? join(root, 'dist'), 'src', 'workers', 'main.js')]
        : ['--import', 'tsx', options.entry ?? join(root, 'src', 'workers', 'main.ts')]),
    ],
    logFile: options.logFile,
    cwd: root,
    env: {
      ...process.env,
      ...WORKER_ENV,
      ...options.env,
      AZBACKUP_CONFIG: options.configFile,
      ...(options.taskQueue ? { AZBACKUP__temporal__taskQueue: options.taskQueue } : {}),
    },
  });
  const deadline = Date.now() + timeoutInMs;
  while (Date.now() < deadline) {
    if (worker.hasExited) throw new Error(worker.describeExit());
    if (readFileSync(options.logFile, 'utf8').includes('azbackup worker polling')) return worker;
    await new Promise((r) => setTimeout(r, 200));
  }
  await worker.stop();
  throw new Error(`The azbackup worker did not start within ${timeoutInMs / 1000} s. Its log:\n${worker.logTail()}`);
}

/** Resolves on the first SIGINT or SIGTERM. */
export function shutdownSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve(signal));
  });
}
