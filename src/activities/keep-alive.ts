// A liveness heartbeat while an activity works: with a short heartbeat timeout, a worker that dies in
// the middle of a long call is noticed in seconds, not when the start-to-close timeout runs out.
import { Context } from '@temporalio/activity';

const EVERY_MS = 5_000;

export async function keepAlive<T>(fn: () => Promise<T>): Promise<T> {
  const ctx = Context.current();
  const timer = setInterval(() => ctx.heartbeat(), EVERY_MS);
  try {
    return await fn();
  } finally {
    clearInterval(timer);
  }
}
