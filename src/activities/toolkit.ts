// What every activity does first, in one place: its cancellation signal, its named connections (a bad
// name fails for good, naming the input field that held it), heartbeats while it works, and one
// classification of what it throws (failures.ts).
//
// Heartbeats: a liveness beat every 5 s while the activity makes progress, so with a short heartbeat
// timeout a worker that dies in the middle of a long call is noticed in seconds, not when start-to-close
// runs out. Beats stop once nothing has progressed for 15 minutes (storage requests time out and retry
// long before that): a stalled attempt then times out and is retried, instead of holding a page for
// hours on a timer alone. A beat repeats the last details given, so progress is never blanked.
// Progress beats are sent at most once a second (one per item cost ~20 % of the worker's CPU).
import { Context, type Info } from '@temporalio/activity';
import { setMaxListeners } from 'node:events';
import type { BlobAccount } from '../storage/blob-account';
import type { BlobAccountOptions, ConnectionRegistry } from '../storage/connections';
import { UnknownConnectionError, WrongConnectionKindError } from '../storage/errors';
import { classifyFailure, ConnectionFieldError } from './failures';

const KEEP_ALIVE_MS = 5_000;
const MIN_BEAT_INTERVAL_MS = 1_000;
export const STALL_AFTER_MS = 15 * 60_000;

export interface ActivityTools {
  /** Aborts when the activity is cancelled (or times out): pass it to every call. */
  readonly signal: AbortSignal;
  readonly info: Info;
  readonly log: Context['log'];
  /** Reports progress (and liveness); the details are kept and repeated by later liveness beats. Call it
   * whenever work moves on: without it for 15 minutes, the attempt counts as stalled. Beats go out at most
   * once a second (the last details in a trailing beat); `now` sends one at once (state a retried attempt
   * must find, like a run id). */
  heartbeat(details?: unknown, options?: { now?: boolean }): void;
  /** The blob account behind a connection name taken from input field `field`. */
  blob(name: string, field: string, options?: BlobAccountOptions): BlobAccount;
  /** Requests in flight at once that listen on the signal (Node warns past 10 listeners by default). */
  expectListeners(count: number): void;
}

/** Wraps an activity's body: tools in, classified failures out, liveness beats in between. */
export function defineActivity<I, O>(
  connections: ConnectionRegistry,
  body: (input: I, tools: ActivityTools) => Promise<O>,
): (input: I) => Promise<O> {
  return async (input: I) => {
    const ctx = Context.current();
    let details: unknown[] = [];
    let progressedAt = Date.now();
    let beatAt = 0;
    let trailing: NodeJS.Timeout | undefined;
    const beat = () => {
      beatAt = Date.now();
      ctx.heartbeat(...details);
    };
    const timer = setInterval(() => {
      if (Date.now() - progressedAt < STALL_AFTER_MS) beat();
    }, KEEP_ALIVE_MS);
    const tools: ActivityTools = {
      signal: ctx.cancellationSignal,
      info: ctx.info,
      log: ctx.log,
      heartbeat(given?: unknown, options?: { now?: boolean }) {
        if (given !== undefined) details = [given];
        progressedAt = Date.now();
        // Each beat crosses into the Temporal core (which sends at most one per throttle interval anyway):
        // at most one a second, the last details following in a trailing beat.
        const since = progressedAt - beatAt;
        if (since >= MIN_BEAT_INTERVAL_MS || options?.now) beat();
        else
          trailing ??= setTimeout(() => {
            trailing = undefined;
            beat();
          }, MIN_BEAT_INTERVAL_MS - since);
      },
      blob(name, field, options) {
        return connectionFor(field, () => connections.blob(name, options));
      },
      expectListeners(count) {
        setMaxListeners(count + 10, ctx.cancellationSignal);
      },
    };
    try {
      return await body(input, tools);
    } catch (err) {
      throw classifyFailure(err);
    } finally {
      clearInterval(timer);
      clearTimeout(trailing);
    }
  };
}

/** Resolves a connection; an unknown or wrong-kind name becomes an error naming the input field. */
export function connectionFor<T>(field: string, resolve: () => T): T {
  try {
    return resolve();
  } catch (err) {
    if (err instanceof UnknownConnectionError || err instanceof WrongConnectionKindError)
      throw new ConnectionFieldError(field, err);
    throw err;
  }
}
