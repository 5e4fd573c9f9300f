// Calls to Data Factory's ARM API, retried where the SDK stops short. @azure/arm-datafactory's pipeline
// retries 5xx and 408 itself (3 times, exponential) and 429/503 *with* a Retry-After header (3 times); it
// does not retry a 429 without Retry-After at all, and after its 3 tries a throttled burst surfaces as an
// error. armCall retries those (429, 408, 5xx, connection errors) again, honouring Retry-After (seconds or a
// date; retry-after-ms and x-ms-retry-after-ms too) and otherwise backing off exponentially, up to
// maxAttempts; then the last error goes up as it is, for the activity's retry policy. Any other 4xx is ADF
// refusing the request for good: it becomes an AdfRequestError with ADF's code and message.
import { setTimeout as sleep } from 'node:timers/promises';
import { errorCodeOf, statusCodeOf } from '../storage/errors';
import { AdfRequestError } from './errors';

export interface ArmRetryOptions {
  abortSignal?: AbortSignal;
  /** Tries per call, the first included (default 8). */
  maxAttempts?: number;
  /** First wait when the service names none; doubles up to 30 s (default 1 s). */
  baseDelayInMs?: number;
  /** Before each wait (an activity heartbeats here). */
  onRetry?: (retry: { operation: string; statusCode: number | undefined; delayInMs: number; attempt: number }) => void;
}

export const DEFAULT_ARM_ATTEMPTS = 8;
const MAX_BACKOFF_MS = 30_000;
/** A Retry-After longer than this is capped: the call is retried by then anyway, and the activity heartbeats. */
const MAX_RETRY_AFTER_MS = 5 * 60_000;
const CONNECTION_ERRORS = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

export async function armCall<T>(operation: string, call: () => Promise<T>, options: ArmRetryOptions = {}): Promise<T> {
  const maxAttempts = options.maxAttempts ?? DEFAULT_ARM_ATTEMPTS;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (options.abortSignal?.aborted) throw err;
      const statusCode = statusCodeOf(err);
      if (!isTransient(err)) throw refusal(operation, err) ?? err;
      if (attempt >= maxAttempts) throw err;
      const delayInMs =
        retryAfterMs(err) ?? Math.min(MAX_BACKOFF_MS, (options.baseDelayInMs ?? 1000) * 2 ** (attempt - 1));
      options.onRetry?.({ operation, statusCode, delayInMs, attempt });
      await sleep(delayInMs, undefined, { signal: options.abortSignal });
    }
  }
}

/** 429, 408, 5xx (bar 501 and 505, which no retry fixes) or a dropped connection. */
export function isTransient(err: unknown): boolean {
  const status = statusCodeOf(err);
  if (status === undefined || status === 0) {
    const code = (err as { code?: unknown } | null)?.code;
    return code === 'REQUEST_SEND_ERROR' || (typeof code === 'string' && CONNECTION_ERRORS.has(code));
  }
  return status === 429 || status === 408 || (status >= 500 && status !== 501 && status !== 505);
}

/** A 4xx ADF answered for good, as an AdfRequestError; undefined for anything else. */
export function refusal(operation: string, err: unknown): AdfRequestError | undefined {
  const status = statusCodeOf(err);
  if (status === undefined || status < 400 || status >= 500 || isTransient(err)) return undefined;
  const message = err instanceof Error ? err.message.split('\n')[0]! : String(err);
  return new AdfRequestError(operation, status, errorCodeOf(err), message);
}

/** What the service asked us to wait, from the response headers of a RestError; undefined when it did not say. */
export function retryAfterMs(err: unknown): number | undefined {
  const headers = (err as { response?: { headers?: { get(name: string): string | undefined } } } | null)?.response
    ?.headers;
  if (!headers || typeof headers.get !== 'function') return undefined;
  for (const name of ['retry-after-ms', 'x-ms-retry-after-ms']) {
    const ms = Number(headers.get(name));
    if (headers.get(name) !== undefined && Number.isFinite(ms) && ms >= 0) return Math.min(ms, MAX_RETRY_AFTER_MS);
  }
  const value = headers.get('retry-after');
  if (value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, MAX_RETRY_AFTER_MS);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.min(Math.max(0, date - Date.now()), MAX_RETRY_AFTER_MS);
}
