// Worker settings derived from the cores the process may use (docs/memory-and-concurrency.md says why).
// A blob backup is bound by round trips, not CPU: about 8 requests in flight per core keep a core busy
// without queueing behind it (the field's rule of thumb), so sockets follow that, and activity slots are
// what keeps them filled (each page activity has many items in flight).
import { availableParallelism } from 'node:os';

export const CORES = availableParallelism();
/** Activity slots per core: 4 per core (a page activity holds 16 items in flight by default). */
export const ACTIVITY_SLOTS = 4 * CORES;
/** Sockets per storage account, on one keep-alive agent per account shared by all its connections. */
export const SOCKETS_PER_ACCOUNT = 8 * CORES;
/** Workflows kept in the worker's cache (the SDK's default sizes it from the heap limit: thousands). */
export const CACHED_WORKFLOWS = 100;
/** V8 grows the heap by this much when it must (its default is larger): a lower peak, more GC work. */
export const HEAP_GROWTH_PERCENT = 50;
