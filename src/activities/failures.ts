// Turning errors into Temporal failures: bad input and misconfiguration are non-retryable (a retry
// cannot fix them), everything else is left for the retry policy.
import { ApplicationFailure } from '@temporalio/common';
import { UnknownConnectionError, WrongConnectionKindError } from '../storage/errors';

export const FailureType = {
  InvalidInput: 'InvalidInput',
  UnknownConnection: 'UnknownConnection',
  SourceNotFound: 'SourceNotFound',
} as const;

/** Configuration errors become non-retryable failures naming the input field. */
export function asActivityFailure(err: unknown, field?: string): unknown {
  if (err instanceof UnknownConnectionError || err instanceof WrongConnectionKindError) {
    return ApplicationFailure.nonRetryable(
      field ? `${field}: ${err.message}` : err.message,
      FailureType.UnknownConnection,
      { field, connection: err.connection },
    );
  }
  return err;
}

export function statusCodeOf(err: unknown): number | undefined {
  return typeof err === 'object' && err !== null && 'statusCode' in err ? (err.statusCode as number) : undefined;
}

/** The call's result, or undefined where the service answers 404 (the blob or container is not there). */
export async function unlessNotFound<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (err) {
    if (statusCodeOf(err) === 404) return undefined;
    throw err;
  }
}

export function errorCodeOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: unknown; details?: { errorCode?: unknown } };
  if (typeof e.details?.errorCode === 'string') return e.details.errorCode;
  return typeof e.code === 'string' ? e.code : undefined;
}

/** Resolves a named connection; an unknown or wrong-kind name fails the activity for good. */
export function resolveConnection<T>(fn: () => T, field: string): T {
  try {
    return fn();
  } catch (err) {
    throw asActivityFailure(err, field);
  }
}
