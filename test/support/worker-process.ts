// Crash tests: an azbackup worker as its own process on the shared stack (so it can be killed), and a
// poll-until helper for "the run got this far".
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManagedProcess } from '../../dev/managed-process';
import { stackInfo } from './stack';

const root = join(__dirname, '..', '..');

export function workerProcess(taskQueue: string, name: string): ManagedProcess {
  return new ManagedProcess({
    name,
    command: process.execPath,
    args: ['--import', 'tsx', join(root, 'src/workers/main.ts')],
    logFile: join(mkdtempSync(join(tmpdir(), 'azb-crash-')), 'worker.log'),
    cwd: root,
    env: { ...process.env, AZBACKUP_CONFIG: stackInfo().configFile, AZBACKUP__temporal__taskQueue: taskQueue },
  });
}

export async function until(check: () => Promise<boolean>, timeoutInMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutInMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}
