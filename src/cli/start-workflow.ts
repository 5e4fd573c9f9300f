// Starting a workflow from the CLI: one run per workflow id at a time, the UI link printed, and with
// --wait the live progress (when the workflow has a progress query) until the result.
import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { QueryDefinition } from '@temporalio/common';
import type { Config } from '../config/schema';
import { nameProblems, type NameRefs } from '../config/connection-refs';
import { formatProblems } from '../domain/input-problems';
import { UsageError } from './cli-options';
import { pagesInFlight, type PageInFlight } from './live-progress';
import { emit, output } from './output';
import { ProgressLine } from './progress-bar';
import { startDetailsMarkdown, type StartDetails } from './start-details';
import { workflowUrl } from './temporal-client';

export interface StartCommandOptions<I, R> {
  command: string;
  workflow: (input: I) => Promise<R>;
  input: I;
  workflowId: string;
  taskQueue?: string;
  summary: string;
  /** The UI's details card: what is read and written, and how. */
  details: StartDetails;
  /** Names in the input, checked before anything starts: connections (by field) must be blob connections of the config. */
  names?: NameRefs;
}

/** The handle, or undefined when a run with that id is still open (the message says how to watch it). */
export async function startWorkflow<I, R>(
  client: Client,
  config: Config,
  options: StartCommandOptions<I, R>,
): Promise<WorkflowHandle<(input: I) => Promise<R>> | undefined> {
  const problems = nameProblems(config, options.names ?? {});
  if (problems.length) throw new UsageError(`nothing started: ${formatProblems(problems)}`);
  try {
    const handle = await client.workflow.start(options.workflow, {
      taskQueue: options.taskQueue ?? config.temporal.taskQueue,
      workflowId: options.workflowId,
      args: [options.input],
      staticSummary: options.summary,
      staticDetails: startDetailsMarkdown(options.details, { config, ...options }),
    });
    const url = workflowUrl(config, options.workflowId);
    emit(
      { workflowId: options.workflowId, runId: handle.firstExecutionRunId, ...(url ? { url } : {}) },
      () => `Started ${options.workflowId} (run ${handle.firstExecutionRunId}).${url ? `\nTemporal UI: ${url}` : ''}`,
    );
    return handle;
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    console.error(
      `azbackup ${options.command}: ${options.workflowId} is already running; watch it with: azbackup progress ${options.workflowId}`,
    );
    return undefined;
  }
}

/**
 * Waits for the result, printing the progress query's answer every `intervalInMs` when there is one
 * (asked of `progress.from` when another workflow, such as a child, answers it).
 */
export async function waitWithProgress<R, P>(
  handle: WorkflowHandle,
  progress?: { query: QueryDefinition<P>; format: (p: P, inFlight: PageInFlight[]) => string; from?: WorkflowHandle },
  intervalInMs = 2000,
): Promise<R> {
  let inFlight: Promise<void> = Promise.resolve();
  const line = new ProgressLine();
  const timer =
    progress && !output.json // --json prints the result only
      ? setInterval(() => {
          const from = progress.from ?? handle;
          inFlight = inFlight.then(() =>
            Promise.all([from.query(progress.query), pagesInFlight(from.client, from.workflowId).catch(() => [])]).then(
              ([p, pages]) => line.update(progress.format(p, pages)),
              () => {}, // not answerable before the first workflow task
            ),
          );
        }, intervalInMs)
      : undefined;
  try {
    return (await handle.result()) as R;
  } finally {
    clearInterval(timer);
    await inFlight;
    line.finish();
  }
}
