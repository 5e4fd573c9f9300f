// Finding the ApplicationFailure behind a workflow failure (an activity's arrives wrapped in ActivityFailure).
import { ApplicationFailure } from '@temporalio/common';

export function rootApplicationFailure(err: unknown): ApplicationFailure | undefined {
  let current: unknown = err;
  let found: ApplicationFailure | undefined;
  while (current instanceof Error) {
    if (current instanceof ApplicationFailure) found = current;
    current = current.cause;
  }
  return found;
}
