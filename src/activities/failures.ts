// The activity boundary's one error classifier: what a retry cannot fix (bad input, an unknown or
// wrong-kind connection, a source that is not there, a credential the account refuses, a container
// deleted under the run, a corrupt catalog file) becomes a non-retryable failure of its type with a
// message that says what to fix; everything else is retried by the bounded retry policy (a failed storage
// request as a retryable failure naming where it went, anything else as it is).
import { ApplicationFailure } from '@temporalio/common';
import {
  CorruptCatalogError,
  FailureType,
  IncompleteRunError,
  InvalidInputError,
  NotFoundError,
} from '../domain/failures';
import { IntegrityError, KeyConfigError, WrongKeyError } from '../pipeline/errors';
import {
  errorCodeOf,
  firstLine,
  isAccessDenied,
  isContainerGone,
  requestTarget,
  statusCodeOf,
  UnknownConnectionError,
  WrongConnectionKindError,
} from '../storage/errors';

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
  if (err instanceof WrongKeyError || err instanceof KeyConfigError) {
    return ApplicationFailure.nonRetryable(err.message, FailureType.EncryptionKey);
  }
  if (err instanceof IntegrityError) {
    // A failed tag at the first chunk is most often the wrong key under the right name.
    return ApplicationFailure.nonRetryable(err.message, FailureType.IntegrityFailure, { problem: err.problem });
  }
  if (err instanceof CorruptCatalogError || err instanceof IncompleteRunError) {
    return ApplicationFailure.nonRetryable(err.message, FailureType.CorruptCatalog);
  }
  if (isAccessDenied(err)) {
    return ApplicationFailure.nonRetryable(
      `${describeStorageError(err)}: the storage account refused this connection's credential. Fix the ` +
        "connection in the worker's config: a revoked or expired SAS, a rotated account key, or a missing " +
        'RBAC role (Storage Blob Data Reader on the source, Storage Blob Data Contributor on the backup account)',
      FailureType.AccessDenied,
    );
  }
  if (isContainerGone(err)) {
    return ApplicationFailure.nonRetryable(
      `${describeStorageError(err)}: the container is gone (deleted while the run worked, or never created); ` +
        'recreate it or name another one, then start the run again',
      FailureType.ContainerNotFound,
    );
  }
  if (err instanceof NotFoundError) {
    return ApplicationFailure.nonRetryable(
      err.message,
      FailureType.SourceNotFound,
      ...(err.details === undefined ? [] : [err.details]),
    );
  }
  if (err instanceof Error && requestTarget(err) !== undefined) {
    // Retried as before (same type), but the SDK's message alone ("The server is busy.") does not say
    // which account or blob answered; after the last attempt, this is what the run's failure shows.
    const failure = ApplicationFailure.retryable(`${describeStorageError(err)}: ${firstLine(err)}`, err.name);
    failure.stack = err.stack;
    return failure;
  }
  return err;
}

/** `403 AuthenticationFailed at host/account/container/blob`, never the query string (a SAS lives there). */
function describeStorageError(err: unknown): string {
  const where = requestTarget(err);
  const what = `${statusCodeOf(err) ?? ''} ${errorCodeOf(err) ?? firstLine(err)}`.trim();
  return where ? `${what} at ${where}` : what;
}
