// Crash tests: an azbackup worker as its own process on the shared stack (so it can be killed), and a
// poll-until helper for "the run got this far".
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Workflow } from '@temporalio/common';
import type { WorkflowHandle } from '@temporalio/client';
import type { ManagedProcess } from '../../dev/managed-process';
import { startWorkerProcess } from '../../dev/worker-process';
import { stackInfo } from './stack';

/** A worker process on the shared stack, polling `taskQueue` once this resolves. */
export function workerProcess(taskQueue: string, name: string): Promise<ManagedProcess> {
  return startWorkerProcess({
    configFile: stackInfo().configFile,
    taskQueue,
    name,
    logFile: join(mkdtempSync(join(tmpdir(), 'azb-crash-')), 'worker.log'),
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

/**
 * Starts a workflow on worker process A, SIGKILLs A once `progressed` says the run is mid-way, and lets
 * worker process B finish it: the workflow's result, with both processes gone.
 */
export async function finishAfterCrash<R>(
  taskQueue: string,
  start: () => Promise<WorkflowHandle<Workflow> & { result(): Promise<R> }>,
  progressed: (handle: WorkflowHandle<Workflow>) => Promise<boolean>,
): Promise<R> {
  const first = await workerProcess(taskQueue, 'worker A');
  let second: ManagedProcess | undefined;
  try {
    const handle = await start();
    await until(() => progressed(handle), 120_000, 'the run to get part of the way');
    first.kill('SIGKILL');
    await first.waitForExit();
    second = await workerProcess(taskQueue, 'worker B');
    return await handle.result();
  } finally {
    first.kill('SIGKILL');
    await second?.stop();
  }
}
