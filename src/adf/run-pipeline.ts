// One Data Factory pipeline run, from creation (or from the run id an earlier attempt recorded) to its end.
// Knows nothing of Temporal: the caller records the run id (`onRunId`, called before any wait, so a caller
// that dies afterwards can resume watching the same run instead of creating a second one), hears every
// poll (`onStatus`), and says on abort whether the run should be cancelled (a cancelled workflow) or left
// running for a retry to pick up (a worker shutting down). What can go wrong:
// - before the run: the pipeline is missing, or the parameters are not what it declares -> errors that say
//   so (nothing was started);
// - createRun is sent without the abort signal: once sent, its answer (the run id) is always awaited, so an
//   abort never leaves a run nobody knows about;
// - the run ends Failed or Cancelled -> AdfRunEndedError with ADF's message and the run id;
// - throttling and 5xx -> retried (arm-requests.ts).
// A succeeded run's output is summed from its Copy activity runs (queryActivityruns, all pages).
import type { DataFactoryTarget } from '../storage/data-factory';
import { InvalidInputError } from '../domain/failures';
import { formatProblems } from '../domain/input-problems';
import { setTimeout as sleep } from 'node:timers/promises';
import { armCall, type ArmRetryOptions } from './arm-requests';
import { AdfRunEndedError } from './errors';
import { copyTotals, type ActivityRunSummary, type AdfCopyTotals } from './run-output';
import { DEFAULT_POLL_EVERY_MS, pipelineParameterProblems, type AdfRerun, type DeclaredParameter } from './run-input';

export type AdfRunStatus = 'Queued' | 'InProgress' | 'Succeeded' | 'Failed' | 'Canceling' | 'Cancelled';

export interface PipelineRunRequest {
  pipeline: string;
  parameters?: Record<string, unknown>;
  rerun?: AdfRerun;
}

export interface RunPipelineOptions {
  /** Watch this run instead of creating one: the run id an earlier attempt recorded. */
  resumeRunId?: string;
  pollEveryMs?: number;
  abortSignal?: AbortSignal;
  /** Asked when abortSignal aborts: true cancels the run (recursively) before the abort goes up. */
  cancelRunOnAbort?: () => boolean;
  /** The run id, as soon as it is known (created or resumed), before any wait. */
  onRunId?: (runId: string) => void;
  /** After every poll. */
  onStatus?: (run: { runId: string; status: AdfRunStatus }) => void;
  /** Cancelling the run failed (the abort still goes up): say so, the run may still be going. */
  onCancelFailed?: (runId: string, err: unknown) => void;
  retry?: Omit<ArmRetryOptions, 'abortSignal'>;
}

export interface AdfRunResult {
  runId: string;
  status: 'Succeeded';
  /** ADF's message for the run (usually empty on success). */
  message: string;
  /** Totals of the run's Copy activities; absent when it ran none. */
  output?: AdfCopyTotals;
  durationInMs: number;
  /** ISO times. */
  runStart: string;
  runEnd: string;
}

/** How long a cancelled run is watched for reaching Cancelled before the abort goes up anyway. */
export const CANCEL_WAIT_MS = 60_000;

export async function runPipeline(
  target: DataFactoryTarget,
  request: PipelineRunRequest,
  options: RunPipelineOptions = {},
): Promise<AdfRunResult> {
  const { client, resourceGroup: group, factoryName: factory } = target;
  const signal = options.abortSignal;
  const retry = { ...options.retry, abortSignal: signal };
  const pollEveryMs = options.pollEveryMs ?? DEFAULT_POLL_EVERY_MS;
  let runId = options.resumeRunId;
  if (runId === undefined) {
    signal?.throwIfAborted();
    if (!request.rerun) await checkParameters(target, request, retry);
    runId = (
      await armCall(
        `createRun of pipeline ${request.pipeline}`,
        () =>
          client.pipelines.createRun(group, factory, request.pipeline, {
            parameters: request.rerun ? undefined : (request.parameters ?? {}),
            referencePipelineRunId: request.rerun?.referencePipelineRunId,
            isRecovery: request.rerun?.isRecovery,
            startFromFailure: request.rerun?.startFromFailure,
          }),
        { ...retry, abortSignal: undefined },
      )
    ).runId;
  }
  options.onRunId?.(runId);
  const id = runId;
  try {
    for (;;) {
      signal?.throwIfAborted();
      const run = await armCall(
        `get of run ${id}`,
        () => client.pipelineRuns.get(group, factory, id, { abortSignal: signal }),
        retry,
      );
      const status = (run.status ?? 'Queued') as AdfRunStatus;
      options.onStatus?.({ runId: id, status });
      if (status === 'Failed' || status === 'Cancelled')
        throw new AdfRunEndedError(id, run.pipelineName ?? request.pipeline, status, run.message ?? '');
      if (status === 'Succeeded') {
        const runStart = run.runStart ?? new Date();
        const runEnd = run.runEnd ?? new Date();
        const output = await runOutput(target, id, runStart, retry);
        return {
          runId: id,
          status,
          message: run.message ?? '',
          ...(output ? { output } : {}),
          durationInMs: run.durationInMs ?? runEnd.getTime() - runStart.getTime(),
          runStart: runStart.toISOString(),
          runEnd: runEnd.toISOString(),
        };
      }
      await sleep(pollEveryMs, undefined, { signal });
    }
  } catch (err) {
    if (signal?.aborted && options.cancelRunOnAbort?.()) {
      await cancelRun(target, id, pollEveryMs, options).catch((cancelErr: unknown) =>
        options.onCancelFailed?.(id, cancelErr),
      );
    }
    if (signal?.aborted) throw signal.reason;
    throw err;
  }
}

/** The pipeline must exist in the factory (a preflight before anything is written for it). */
export async function requirePipeline(target: DataFactoryTarget, pipeline: string, retry: ArmRetryOptions = {}) {
  const { client, resourceGroup, factoryName } = target;
  await armCall(
    `get of pipeline ${pipeline}`,
    () => client.pipelines.get(resourceGroup, factoryName, pipeline, { abortSignal: retry.abortSignal }),
    retry,
  );
}

/** The pipeline must exist, and the parameters must be the ones it declares (nothing is started otherwise). */
async function checkParameters(target: DataFactoryTarget, request: PipelineRunRequest, retry: ArmRetryOptions) {
  const { client, resourceGroup, factoryName } = target;
  const pipeline = await armCall(
    `get of pipeline ${request.pipeline}`,
    () => client.pipelines.get(resourceGroup, factoryName, request.pipeline, { abortSignal: retry.abortSignal }),
    retry,
  );
  const declared = (pipeline.parameters ?? {}) as Record<string, DeclaredParameter>;
  const problems = pipelineParameterProblems(request.pipeline, declared, request.parameters ?? {});
  if (problems.length) throw new InvalidInputError(problems[0]!.field, formatProblems(problems), { problems });
}

/** Cancels the run and its children, then waits (bounded) until ADF says it has stopped. */
async function cancelRun(target: DataFactoryTarget, runId: string, pollEveryMs: number, options: RunPipelineOptions) {
  const { client, resourceGroup, factoryName } = target;
  const retry = { ...options.retry, maxAttempts: 4 };
  await armCall(
    `cancel of run ${runId}`,
    () => client.pipelineRuns.cancel(resourceGroup, factoryName, runId, { isRecursive: true }),
    retry,
  );
  const deadline = Date.now() + CANCEL_WAIT_MS;
  while (Date.now() < deadline) {
    const run = await armCall(
      `get of run ${runId}`,
      () => client.pipelineRuns.get(resourceGroup, factoryName, runId),
      retry,
    );
    options.onStatus?.({ runId, status: (run.status ?? 'Canceling') as AdfRunStatus });
    if (run.status === 'Cancelled' || run.status === 'Failed' || run.status === 'Succeeded') return;
    await sleep(Math.min(pollEveryMs, 1000));
  }
}

/** The run's copy totals, from every page of its activity runs. */
async function runOutput(
  target: DataFactoryTarget,
  runId: string,
  runStart: Date,
  retry: ArmRetryOptions,
): Promise<AdfCopyTotals | undefined> {
  const { client, resourceGroup, factoryName } = target;
  const activityRuns: ActivityRunSummary[] = [];
  const filter = {
    lastUpdatedAfter: new Date(runStart.getTime() - 60 * 60_000),
    lastUpdatedBefore: new Date(Date.now() + 60 * 60_000),
  };
  let continuationToken: string | undefined;
  do {
    const page = await armCall(
      `queryActivityruns of run ${runId}`,
      () =>
        client.activityRuns.queryByPipelineRun(
          resourceGroup,
          factoryName,
          runId,
          { ...filter, continuationToken },
          { abortSignal: retry.abortSignal },
        ),
      retry,
    );
    activityRuns.push(...page.value);
    continuationToken = page.continuationToken;
  } while (continuationToken);
  return copyTotals(activityRuns);
}
