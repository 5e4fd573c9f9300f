// Pipeline runs of the ADF stand-in: Queued -> InProgress -> Succeeded/Failed (or Canceling -> Cancelled).
// What a run *does* is a RunExecutor, so a later executor can perform real copies on the local stack.
import { randomUUID } from 'node:crypto';

export type RunStatus = 'Queued' | 'InProgress' | 'Succeeded' | 'Failed' | 'Canceling' | 'Cancelled';

/** Performs a run's work once it leaves the queue; resolves to its final status. */
export interface RunExecutor {
  execute(run: { pipelineName: string; parameters: Record<string, unknown>; signal: AbortSignal }): Promise<{
    status: 'Succeeded' | 'Failed';
    message?: string;
  }>;
}

/** Does nothing but take `inProgressForMs`: enough for clients that only track run states. */
export function delayExecutor(inProgressForMs: number): RunExecutor {
  return {
    execute: ({ signal }) =>
      new Promise((resolve) => {
        const timer = setTimeout(() => resolve({ status: 'Succeeded' }), inProgressForMs);
        timer.unref();
        signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
      }),
  };
}

interface Run {
  runId: string;
  pipelineName: string;
  parameters: Record<string, unknown>;
  createdAt: number;
  startedAt?: number;
  endedAt?: number;
  status: RunStatus;
  message: string;
  abort: AbortController;
}

export class RunStore {
  private readonly runs = new Map<string, Run>();

  constructor(
    private readonly executor: RunExecutor,
    private readonly queuedForMs: number,
  ) {}

  create(pipelineName: string, parameters: Record<string, unknown>): string {
    const run: Run = {
      runId: randomUUID(),
      pipelineName,
      parameters,
      createdAt: Date.now(),
      status: 'Queued',
      message: '',
      abort: new AbortController(),
    };
    this.runs.set(run.runId, run);
    const timer = setTimeout(() => this.start(run), this.queuedForMs);
    timer.unref();
    return run.runId;
  }

  get(runId: string): Run | undefined {
    return this.runs.get(runId);
  }

  /** Returns false when the run does not exist; cancelling a finished run leaves it as it is (like ADF). */
  cancel(runId: string): boolean {
    const run = this.runs.get(runId);
    if (!run) return false;
    if (run.status === 'Queued' || run.status === 'InProgress') {
      run.status = 'Canceling';
      run.abort.abort();
      // ADF reports Canceling briefly before Cancelled.
      setTimeout(() => this.finish(run, 'Cancelled', 'Run was cancelled by the user.'), 100).unref();
    }
    return true;
  }

  private start(run: Run): void {
    if (run.status !== 'Queued') return;
    run.status = 'InProgress';
    run.startedAt = Date.now();
    this.executor
      .execute({ pipelineName: run.pipelineName, parameters: run.parameters, signal: run.abort.signal })
      .then(
        (result) => this.finish(run, result.status, result.message ?? ''),
        (err: unknown) => this.finish(run, 'Failed', err instanceof Error ? err.message : String(err)),
      );
  }

  private finish(run: Run, status: RunStatus, message: string): void {
    if (run.status === 'Cancelled' || run.status === 'Succeeded' || run.status === 'Failed') return;
    if (run.status === 'Canceling' && status !== 'Cancelled') return;
    run.status = status;
    run.message = message;
    run.endedAt = Date.now();
  }

  /** The PipelineRun resource as GET .../pipelineruns/{runId} returns it. */
  static toResource(run: Run): Record<string, unknown> {
    const runStart = new Date(run.startedAt ?? run.createdAt).toISOString();
    return {
      runId: run.runId,
      runGroupId: run.runId,
      isLatest: true,
      pipelineName: run.pipelineName,
      parameters: Object.fromEntries(
        Object.entries(run.parameters).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
      ),
      runDimensions: {},
      invokedBy: { name: 'Manual', id: run.runId.replace(/-/g, ''), invokedByType: 'Manual' },
      lastUpdated: new Date(run.endedAt ?? run.startedAt ?? run.createdAt).toISOString(),
      runStart,
      runEnd: run.endedAt ? new Date(run.endedAt).toISOString() : undefined,
      durationInMs: run.endedAt ? run.endedAt - (run.startedAt ?? run.createdAt) : undefined,
      status: run.status,
      message: run.message,
    };
  }
}
