// The activity boundary's one error classifier: what a retry cannot fix (bad input, an unknown or
// wrong-kind connection, a source that is not there) becomes a non-retryable failure of its type with a
// message that says what to fix; everything else is rethrown as it is, for the retry policy.
import { ApplicationFailure } from '@temporalio/common';
import { FailureType, InvalidInputError, NotFoundError } from '../domain/failures';
import { UnknownConnectionError, WrongConnectionKindError } from '../storage/errors';

export { FailureType };

/** Names the input field that held the connection name, for a connection error raised below it. */
export class ConnectionFieldError extends Error {
  constructor(
    readonly field: string,
    readonly connectionError: UnknownConnectionError | WrongConnectionKindError,
  ) {
    super(`${field}: ${connectionError.message}`);
    this.name = 'ConnectionFieldError';
  }
}

export function classifyFailure(err: unknown): unknown {
  if (err instanceof ApplicationFailure) return err;
  if (err instanceof ConnectionFieldError) {
    return ApplicationFailure.nonRetryable(err.message, FailureType.UnknownConnection, {
      field: err.field,
      connection: err.connectionError.connection,
    });
  }
  if (err instanceof UnknownConnectionError || err instanceof WrongConnectionKindError) {
    return ApplicationFailure.nonRetryable(err.message, FailureType.UnknownConnection, {
      connection: err.connection,
    });
  }
  if (err instanceof InvalidInputError) {
    return ApplicationFailure.nonRetryable(err.message, FailureType.InvalidInput, err.details ?? { field: err.field });
  }
  if (err instanceof NotFoundError) {
    return ApplicationFailure.nonRetryable(
      err.message,
      FailureType.SourceNotFound,
      ...(err.details === undefined ? [] : [err.details]),
    );
  }
  return err;
}
