// Rules every azbackup workflow shares: bad input is rejected before the first activity with one
// non-retryable failure naming each bad field, and activities retry transient errors, never bad input.
import { ApplicationFailure, workflowInfo, type ActivityOptions } from '@temporalio/workflow';
import { FailureType } from '../domain/failures';
import { formatProblems, type InputProblem } from '../domain/input-problems';

export function rejectInvalidInput(workflow: string, problems: InputProblem[]): void {
  if (problems.length === 0) return;
  throw ApplicationFailure.nonRetryable(
    `Invalid ${workflow} input: ${formatProblems(problems)}`,
    FailureType.InvalidInput,
    problems,
  );
}

/**
 * Activities heartbeat while they make progress: a worker that dies mid-call (or a call that stalls) is
 * replaced within 20 s. Retries are bounded: 8 attempts, 2 s to 30 s apart (each attempt's storage
 * requests retried by the SDK too), so an outage that outlasts about five minutes fails the run with its
 * last error instead of holding the workflow id (and every later backup of the source) forever.
 */
export const MAX_ACTIVITY_ATTEMPTS = 8;

export function activityOptions(startToCloseTimeout: ActivityOptions['startToCloseTimeout']): ActivityOptions {
  return {
    startToCloseTimeout,
    heartbeatTimeout: '20 seconds',
    retry: {
      initialInterval: '2s',
      maximumInterval: '30 seconds',
      maximumAttempts: MAX_ACTIVITY_ATTEMPTS,
      nonRetryableErrorTypes: Object.values(FailureType),
    },
  };
}

/** Whether this run continued an earlier one (only then may the input carry progress). */
export function continuedAsNew(): boolean {
  return workflowInfo().continuedFromExecutionRunId !== undefined;
}
