// Crash tests: an azbackup worker as its own process on the shared stack (so it can be killed), and a
// poll-until helper for "the run got this far".
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Workflow } from '@temporalio/common';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { ManagedProcess } from '../../dev/managed-process';
import { startWorkerProcess } from '../../dev/worker-process';
import { stackInfo } from './stack';

/** `<connection>:<ms>`: read by test/support/slowed-worker.ts. */
export const SLOW_REQUESTS_ENV = 'AZBACKUP_TEST_SLOW_REQUESTS';

export interface WorkerProcessTestOptions {
  /** Hold back every storage request to this connection for `ms` first (test/support/slowed-worker.ts). */
  slowRequests?: { connection: string; ms: number };
  /** Run the compiled worker of this tsc output directory (test/support/compiled-build.ts), as Docker does. */
  compiledDir?: string;
}

/** A worker process on the shared stack, polling `taskQueue` once this resolves. */
export function workerProcess(
  taskQueue: string,
  name: string,
  options: WorkerProcessTestOptions = {},
): Promise<ManagedProcess> {
  const slow = options.slowRequests;
  return startWorkerProcess({
    configFile: stackInfo().configFile,
    taskQueue,
    name,
    logFile: join(mkdtempSync(join(tmpdir(), 'azb-crash-')), 'worker.log'),
    ...(options.compiledDir ? { compiled: true, distDir: options.compiledDir } : {}),
    ...(slow
      ? {
          entry: join(__dirname, 'slowed-worker.ts'),
          env: { [SLOW_REQUESTS_ENV]: `${slow.connection}:${slow.ms}` },
        }
      : {}),
  });
}

/**
 * Whether the child workflow `workflowId` has an activity of `activityType` running right now (started,
 * not finished): a kill now interrupts it.
 */
export async function activityRunning(client: Client, workflowId: string, activityType: string): Promise<boolean> {
  const { raw } = await client.workflow.getHandle(workflowId).describe();
  return (raw.pendingActivities ?? []).some(
    (a) =>
      a.activityType?.name === activityType &&
      a.state === temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED,
  );
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
 * Starts a workflow on worker process A (slowed as `first_` says), SIGKILLs A once `progressed` says the run is mid-way, and lets
 * worker process B finish it: the workflow's result, with both processes gone.
 */
export async function finishAfterCrash<R>(
  taskQueue: string,
  start: () => Promise<WorkflowHandle<Workflow> & { result(): Promise<R> }>,
  progressed: (handle: WorkflowHandle<Workflow>) => Promise<boolean>,
  first_: WorkerProcessTestOptions = {},
): Promise<R> {
  const first = await workerProcess(taskQueue, 'worker A', first_);
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
