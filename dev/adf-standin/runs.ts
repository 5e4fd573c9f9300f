// Pipeline runs of the ADF stand-in: Queued -> InProgress -> Succeeded/Failed (or Canceling -> Cancelled).
// What a run *does* is a RunExecutor (pipeline-executor.ts performs the pipeline's activities on the local
// stack); the activity runs it records are what queryActivityruns answers. A rerun (referencePipelineRunId)
// takes the referenced run's parameters, as ADF does, and with isRecovery joins its run group, which makes
// the referenced run no longer the latest. Test faults (test-control.ts) fail or stall a run before its work.
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { TestControl } from './test-control';

export type RunStatus = 'Queued' | 'InProgress' | 'Succeeded' | 'Failed' | 'Canceling' | 'Cancelled';

/** One activity run, as POST …/pipelineruns/{runId}/queryActivityruns returns it. */
export interface ActivityRunRecord {
  activityRunId: string;
  activityName: string;
  activityType: string;
  pipelineName: string;
  pipelineRunId: string;
  status: 'Succeeded' | 'Failed' | 'Skipped' | 'Cancelled' | 'InProgress';
  activityRunStart: string;
  activityRunEnd?: string;
  durationInMs?: number;
  input: unknown;
  output: unknown;
  error: { errorCode: string; message: string; failureType: string; target: string; details: string };
}

/** What an executor gets: the run, and where to record its activity runs. */
export interface ExecutingRun {
  runId: string;
  factory: string;
  pipelineName: string;
  parameters: Record<string, unknown>;
  signal: AbortSignal;
  recordActivity(record: ActivityRunRecord): void;
}

/** Performs a run's work once it leaves the queue; resolves to its final status. */
export interface RunExecutor {
  execute(run: ExecutingRun): Promise<{ status: 'Succeeded' | 'Failed'; message?: string }>;
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

export interface CreateRunOptions {
  referencePipelineRunId?: string;
  isRecovery?: boolean;
  startFromFailure?: boolean;
}

export interface Run {
  runId: string;
  runGroupId: string;
  isLatest: boolean;
  factory: string;
  pipelineName: string;
  parameters: Record<string, unknown>;
  createdAt: number;
  startedAt?: number;
  endedAt?: number;
  lastUpdated: number;
  status: RunStatus;
  message: string;
  abort: AbortController;
  activityRuns: ActivityRunRecord[];
  rerun?: CreateRunOptions;
}

/** A run's abort: every copy in flight (a ForEach runs up to 50 at once) listens on it. */
function abortController(): AbortController {
  const controller = new AbortController();
  setMaxListeners(1000, controller.signal);
  return controller;
}

export class RunStore {
  private readonly runs = new Map<string, Run>();

  constructor(
    private readonly executor: RunExecutor,
    private readonly queuedForMs: number,
    private readonly control?: TestControl,
  ) {}

  create(
    factory: string,
    pipelineName: string,
    parameters: Record<string, unknown>,
    options: CreateRunOptions = {},
  ): Run {
    const reference = options.referencePipelineRunId ? this.get(factory, options.referencePipelineRunId) : undefined;
    const runId = randomUUID();
    const run: Run = {
      runId,
      runGroupId: options.isRecovery && reference ? reference.runGroupId : runId,
      isLatest: true,
      factory,
      pipelineName,
      // ADF: "If run ID is specified the parameters of the specified run will be used to create a new run."
      parameters: reference ? { ...reference.parameters } : parameters,
      createdAt: Date.now(),
      lastUpdated: Date.now(),
      status: 'Queued',
      message: '',
      abort: abortController(),
      activityRuns: [],
      ...(options.referencePipelineRunId ? { rerun: options } : {}),
    };
    if (options.isRecovery && reference) {
      for (const other of this.runs.values()) if (other.runGroupId === run.runGroupId) other.isLatest = false;
    }
    this.runs.set(run.runId, run);
    const timer = setTimeout(() => void this.start(run), this.queuedForMs);
    timer.unref();
    return run;
  }

  /** The run, if it belongs to this factory (another factory's run id is not found, as in ADF). */
  get(factory: string, runId: string): Run | undefined {
    const run = this.runs.get(runId);
    return run && run.factory.toLowerCase() === factory.toLowerCase() ? run : undefined;
  }

  /** Returns false when the run does not exist; cancelling a finished run leaves it as it is (like ADF). */
  cancel(factory: string, runId: string): boolean {
    const run = this.get(factory, runId);
    if (!run) return false;
    if (run.status === 'Queued' || run.status === 'InProgress') {
      run.status = 'Canceling';
      run.lastUpdated = Date.now();
      run.abort.abort();
      // ADF reports Canceling briefly before Cancelled.
      setTimeout(() => this.finish(run, 'Cancelled', 'Run was cancelled by the user.'), 100).unref();
    }
    return true;
  }

  private async start(run: Run): Promise<void> {
    if (run.status !== 'Queued') return;
    run.status = 'InProgress';
    run.startedAt = run.lastUpdated = Date.now();
    const fault = this.control?.takeRunFault(run.factory);
    try {
      if (fault?.kind === 'stall') await this.control!.waitForRelease(run.factory, run.abort.signal);
      if (fault?.kind === 'fail') return this.finish(run, 'Failed', fault.message);
      const result = await this.executor.execute({
        runId: run.runId,
        factory: run.factory,
        pipelineName: run.pipelineName,
        parameters: run.parameters,
        signal: run.abort.signal,
        recordActivity: (record) => {
          run.activityRuns.push(record);
          run.lastUpdated = Date.now();
        },
      });
      this.finish(run, result.status, result.message ?? '');
    } catch (err) {
      if (!run.abort.signal.aborted) this.finish(run, 'Failed', err instanceof Error ? err.message : String(err));
    }
  }

  private finish(run: Run, status: RunStatus, message: string): void {
    if (run.status === 'Cancelled' || run.status === 'Succeeded' || run.status === 'Failed') return;
    if (run.status === 'Canceling' && status !== 'Cancelled') return;
    run.status = status;
    run.message = message;
    run.endedAt = run.lastUpdated = Date.now();
  }

  /** The PipelineRun resource as GET .../pipelineruns/{runId} returns it. */
  static toResource(run: Run): Record<string, unknown> {
    const runStart = new Date(run.startedAt ?? run.createdAt).toISOString();
    return {
      runId: run.runId,
      runGroupId: run.runGroupId,
      isLatest: run.isLatest,
      pipelineName: run.pipelineName,
      parameters: Object.fromEntries(
        Object.entries(run.parameters).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
      ),
      runDimensions: {},
      invokedBy: {
        name: 'Manual',
        id: run.runId.replace(/-/g, ''),
        invokedByType: 'Manual',
        ...(run.rerun ? { pipelineRunId: run.rerun.referencePipelineRunId } : {}),
      },
      lastUpdated: new Date(run.lastUpdated).toISOString(),
      runStart,
      runEnd: run.endedAt ? new Date(run.endedAt).toISOString() : undefined,
      durationInMs: run.endedAt ? run.endedAt - (run.startedAt ?? run.createdAt) : undefined,
      status: run.status,
      message: run.message,
    };
  }
}
