// Errors of the storage layer: ones that name what was asked for (so activities can turn them into
// non-retryable failures a person can act on), and reading the status and code of the SDK's errors.

export class UnknownConnectionError extends Error {
  constructor(
    readonly connection: string,
    readonly known: string[],
  ) {
    super(
      `unknown connection ${JSON.stringify(connection)}; this worker's config defines: ` +
        (known.length ? known.join(', ') : '(none)'),
    );
    this.name = 'UnknownConnectionError';
  }
}

export class WrongConnectionKindError extends Error {
  constructor(
    readonly connection: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`connection ${JSON.stringify(connection)} is a ${actual} connection, not a ${expected} connection`);
    this.name = 'WrongConnectionKindError';
  }
}

/** The HTTP status of a storage SDK error (RestError), if it has one. */
export function statusCodeOf(err: unknown): number | undefined {
  return typeof err === 'object' && err !== null && 'statusCode' in err ? (err.statusCode as number) : undefined;
}

/** The service's error code (`BlobNotFound`, `LeaseAlreadyPresent`, ...), else the Node error code. */
export function errorCodeOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: unknown; details?: { errorCode?: unknown } };
  if (typeof e.details?.errorCode === 'string') return e.details.errorCode;
  return typeof e.code === 'string' ? e.code : undefined;
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

/** The first line of an error's message: service errors carry request ids and XML below it. */
export function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
}

/** 401/403: the account refuses this credential for this request; every later request will be refused too. */
export function isAccessDenied(err: unknown): boolean {
  const status = statusCodeOf(err);
  return status === 401 || status === 403;
}

/** The container itself is gone (not one blob in it): nothing in this run can succeed there. */
export function isContainerGone(err: unknown): boolean {
  return statusCodeOf(err) === 404 && errorCodeOf(err) === 'ContainerNotFound';
}

/** Problems of the account or container, not of one item: a page must stop, not report the item. */
export function isAccountLevel(err: unknown): boolean {
  return isAccessDenied(err) || isContainerGone(err);
}

/** Where a failed request went: host and path, never the query (a SAS lives there). */
export function requestTarget(err: unknown): string | undefined {
  const url = (err as { request?: { url?: unknown } } | undefined)?.request?.url;
  if (typeof url !== 'string') return undefined;
  try {
    const u = new URL(url);
    return `${u.host}${decodeURIComponent(u.pathname)}`;
  } catch {
    return undefined;
  }
}
