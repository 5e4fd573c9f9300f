// The azbackup worker as a child process of the dev stack (as it runs in production: its own
// process, configured only by the config file), ready once it reports that it polls.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManagedProcess } from './managed-process';
import type { LocalStack } from './stack';

export async function startWorkerProcess(stack: LocalStack, timeoutInMs = 120_000): Promise<ManagedProcess> {
  const logFile = join(stack.dataDir, 'logs', 'worker.log');
  const worker = new ManagedProcess({
    name: 'azbackup worker',
    command: process.execPath,
    args: ['--import', 'tsx', join(__dirname, '..', 'src', 'workers', 'main.ts')],
    logFile,
    cwd: join(__dirname, '..'),
    env: { ...process.env, AZBACKUP_CONFIG: stack.configFile },
  });
  const deadline = Date.now() + timeoutInMs;
  while (Date.now() < deadline) {
    if (worker.hasExited) throw new Error(worker.describeExit());
    if (readFileSync(logFile, 'utf8').includes('azbackup worker polling')) return worker;
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
