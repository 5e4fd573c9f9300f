// Rules every azbackup workflow shares: bad input is rejected before the first activity with one
// non-retryable failure naming each bad field, and activities retry transient errors, never bad input.
import { ApplicationFailure, type ActivityOptions } from '@temporalio/workflow';
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

/** Activities heartbeat every 5 s while they work: a worker that dies mid-call is replaced within 20 s. */
export function activityOptions(startToCloseTimeout: ActivityOptions['startToCloseTimeout']): ActivityOptions {
  return {
    startToCloseTimeout,
    heartbeatTimeout: '20 seconds',
    retry: {
      initialInterval: '2s',
      maximumInterval: '1 minute',
      nonRetryableErrorTypes: Object.values(FailureType),
    },
  };
}
