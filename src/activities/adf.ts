// Azure Data Factory as the bulk mover: run one pipeline to its end (runAdfPipeline) and deploy azbackup's
// pipelines to a factory (deployAdfPipelines). Thin entry points over src/adf.
// runAdfPipeline heartbeats `{ runId }` as soon as the run exists and `{ runId, status }` on every poll; a
// retried attempt (the worker died, or stopped) finds the run id in its heartbeat details and watches that
// run again, never creating a second one. Only a cancellation the workflow asked for cancels the ADF run
// (recursively) before the cancellation goes up; a worker shutting down or a timeout leaves the run going
// for the next attempt. Failures: a run that ends Failed or Cancelled, a missing pipeline, parameters the
// pipeline does not take, a request ADF refuses, an adf connection that is not configured: all for good.
import { cancellationDetails } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { InvalidInputError } from '../domain/failures';
import { formatProblems, type InputProblem } from '../domain/input-problems';
import type { ArmRetryOptions } from '../adf/arm-requests';
import { deployPipelines, type DeployPipelinesResult } from '../adf/deploy';
import { deploySettings, type AdfDeployConnections } from '../adf/deploy-settings';
import { AdfFailureType, AdfRequestError, AdfRunEndedError } from '../adf/errors';
import { runAdfPipelineInputProblems, type RunAdfPipelineInput } from '../adf/run-input';
import { requirePipeline, runPipeline, type AdfRunResult } from '../adf/run-pipeline';
import type { ConnectionRegistry } from '../storage/connections';
import { FailureType } from './failures';
import { connectionFor, defineActivity } from './toolkit';

export type { RunAdfPipelineInput } from '../adf/run-input';
export type { AdfRunResult } from '../adf/run-pipeline';

export interface DeployAdfPipelinesInput extends AdfDeployConnections {
  /** The `adf` connection (the factory) to deploy to. */
  adf: string;
}

export interface AdfActivityOptions {
  /** Retry tuning of ARM requests (tests shorten the back-off). */
  retry?: Omit<ArmRetryOptions, 'abortSignal' | 'onRetry'>;
}

export function createAdfActivities(connections: ConnectionRegistry, options: AdfActivityOptions = {}) {
  return {
    runAdfPipeline: defineActivity(connections, async (input: RunAdfPipelineInput, tools): Promise<AdfRunResult> => {
      rejectProblems(runAdfPipelineInputProblems(input));
      const target = connectionFor('adf', () => connections.dataFactory(input.adf));
      const resumeRunId = runIdOf(tools.info.heartbeatDetails);
      if (resumeRunId) tools.log.info('Resuming the watch of a Data Factory run', { runId: resumeRunId });
      try {
        return await runPipeline(
          target,
          { pipeline: input.pipeline, parameters: input.parameters, rerun: input.rerun },
          {
            resumeRunId,
            pollEveryMs: input.pollEveryMs,
            abortSignal: tools.signal,
            cancelRunOnAbort: () => cancellationDetails()?.cancelRequested ?? false,
            // At once: a retried attempt watches the run these name instead of creating another.
            onRunId: (runId) => tools.heartbeat({ runId }, { now: true }),
            onStatus: (run) => tools.heartbeat(run, { now: true }),
            onCancelFailed: (runId, err) =>
              tools.log.warn('Could not cancel the Data Factory run; it may still be going', {
                runId,
                error: err instanceof Error ? err.message : String(err),
              }),
            retry: { ...options.retry, onRetry: () => tools.heartbeat() },
          },
        );
      } catch (err) {
        throw adfFailure(err);
      }
    }),

    deployAdfPipelines: defineActivity(
      connections,
      async (input: DeployAdfPipelinesInput, tools): Promise<DeployPipelinesResult> => {
        const target = connectionFor('adf', () => connections.dataFactory(input.adf));
        const settings = deploySettings(connections, input, connectionFor);
        try {
          return await deployPipelines(target, {
            ...settings,
            abortSignal: tools.signal,
            onProgress: () => tools.heartbeat(),
            retry: { ...options.retry, onRetry: () => tools.heartbeat() },
          });
        } catch (err) {
          throw adfFailure(err);
        }
      },
    ),
  };
}

/**
 * A preflight for workflows that will run a pipeline: the `adf` connection (named by input field `field`)
 * is configured as a factory and the pipeline is deployed there, or a non-retryable failure says how to fix it.
 */
export async function requireAdfPipeline(
  connections: ConnectionRegistry,
  adf: string,
  pipeline: string,
  options: { field: string; abortSignal?: AbortSignal },
): Promise<void> {
  const target = connectionFor(options.field, () => connections.dataFactory(adf));
  try {
    await requirePipeline(target, pipeline, { abortSignal: options.abortSignal });
  } catch (err) {
    throw adfFailure(err);
  }
}

function rejectProblems(problems: InputProblem[]): void {
  if (problems.length) throw new InvalidInputError(problems[0]!.field, formatProblems(problems), { problems });
}

/** The run id a previous attempt heartbeated, if any. */
function runIdOf(details: unknown): string | undefined {
  const runId = (details as { runId?: unknown } | undefined)?.runId;
  return typeof runId === 'string' && runId !== '' ? runId : undefined;
}

/** ADF's refusals and run endings as non-retryable failures of their type; anything else as it is. */
function adfFailure(err: unknown): unknown {
  if (err instanceof AdfRunEndedError) {
    return ApplicationFailure.create({
      message: err.message,
      type: err.status === 'Failed' ? AdfFailureType.RunFailed : AdfFailureType.RunCancelled,
      nonRetryable: true,
      details: [{ runId: err.runId, pipeline: err.pipeline, status: err.status, adfMessage: err.adfMessage }],
    });
  }
  if (err instanceof AdfRequestError) {
    const details = [
      { operation: err.operation, statusCode: err.statusCode, code: err.code, adfMessage: err.adfMessage },
    ];
    if (err.statusCode === 401 || err.statusCode === 403) {
      return ApplicationFailure.create({
        message:
          `${err.message}: the factory refused the adf connection's credential. Fix the connection in the ` +
          "worker's config, or give its identity the Data Factory Contributor role on the factory",
        type: FailureType.AccessDenied,
        nonRetryable: true,
        details,
      });
    }
    const type =
      err.statusCode === 404
        ? err.operation.includes(' of pipeline ')
          ? AdfFailureType.PipelineNotFound
          : AdfFailureType.RunNotFound
        : AdfFailureType.RequestRejected;
    const hint = type === AdfFailureType.PipelineNotFound ? ' (deploy it: azbackup adf deploy)' : '';
    return ApplicationFailure.create({ message: `${err.message}${hint}`, type, nonRetryable: true, details });
  }
  return err;
}
