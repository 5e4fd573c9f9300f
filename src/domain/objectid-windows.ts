// ObjectId time windows for Cosmos DB for MongoDB: an ObjectId's first 4 bytes are big-endian seconds since
// the epoch, so the documents whose `_id` was made in [t0, t1) are exactly those with
// `_id >= ObjectId(hex(t0) + 16 zeros)` and `_id < ObjectId(hex(t1) + 16 zeros)`: a range on the `_id` index,
// which an ADF Copy activity's Mongo source, or our own reader, runs per window.
// What such a window does not see, and callers must handle:
// - `_id`s that are not ObjectIds (strings, numbers, UUIDs, and 24-hex *strings*): BSON compares by type
//   first, so an ObjectId range never matches them. Detect them (`objectIdHexOf` on a document's `_id`, or a
//   `{ _id: { $not: { $type: 'objectId' } } }` count) and export those collections another way.
// - Updates: the time in an ObjectId is when the client made it (its clock, not the server's), not when the
//   document last changed. The settle delay (time-windows.ts) covers clocks a little behind; ids made later
//   than `to` wait for a later window.
// - 32 bits of seconds end at 2106-02-07T06:28:15Z. Past that is a problem here, never a silent wrap (the
//   mongodb driver's `ObjectId.createFromTime(2 ** 32)` quietly gives ObjectId 000…0).
// Hex: `isObjectIdHex` and `timeOfObjectId` accept upper case too (it is the same 12 bytes, and the driver
// parses it); everything this file makes is lower case, as the driver's toHexString and Extended JSON write it.
// Pure hex arithmetic with no dependency on the `mongodb` package, so it runs in workflows.
import type { InputProblem } from './input-problems';
import { boundarySeconds, planWindows, type TimeWindow, type WindowPlanInput } from './time-windows';

/** The last second an ObjectId can hold: 2106-02-07T06:28:15Z. */
export const OBJECTID_MAX_SECONDS = 0xffff_ffff;
/** The exclusive end of ObjectId time, ms: 2106-02-07T06:28:16Z. */
export const OBJECTID_END_MS = 2 ** 32 * 1000;

const OBJECTID_HEX = /^[0-9a-fA-F]{24}$/;

/** 24 hex digits, either case: the text form of an ObjectId (not proof that a stored `_id` is one). */
export function isObjectIdHex(value: unknown): value is string {
  return typeof value === 'string' && OBJECTID_HEX.test(value);
}

/** The smallest ObjectId of a second: 8 hex digits of time, then 16 zeros. Throws RangeError outside 0..2^32-1. */
export function objectIdLowerBound(seconds: number): string {
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > OBJECTID_MAX_SECONDS) {
    throw new RangeError(`ObjectId time must be a whole number of seconds from 0 to ${OBJECTID_MAX_SECONDS}`);
  }
  return seconds.toString(16).padStart(8, '0') + '0'.repeat(16);
}

/** Seconds since the epoch in an ObjectId's first 4 bytes. Throws RangeError for text that is no ObjectId. */
export function timeOfObjectId(hex: string): number {
  if (!isObjectIdHex(hex)) throw new RangeError(`not an ObjectId (24 hex digits): ${JSON.stringify(hex)}`);
  return parseInt(hex.slice(0, 8), 16);
}

/**
 * The lower-case hex of an `_id` that is a BSON ObjectId: the mongodb driver's ObjectId, or Extended JSON
 * `{ "$oid": "…" }`. Undefined for anything else, including a string of 24 hex digits: stored as a string it
 * is a string, and an ObjectId window never matches it.
 */
export function objectIdHexOf(id: unknown): string | undefined {
  if (typeof id !== 'object' || id === null) return undefined;
  const candidate = id as { _bsontype?: unknown; toHexString?: unknown; $oid?: unknown };
  if (candidate._bsontype === 'ObjectId' && typeof candidate.toHexString === 'function') {
    const hex: unknown = candidate.toHexString();
    return isObjectIdHex(hex) ? hex.toLowerCase() : undefined;
  }
  if (Object.keys(id).length === 1 && isObjectIdHex(candidate.$oid)) return candidate.$oid.toLowerCase();
  return undefined;
}

/** A time window as an `_id` range; `lt` is absent for a window that runs to the end of ObjectId time. */
export interface ObjectIdWindow extends TimeWindow {
  /** `_id >= ObjectId(gte)`. */
  gte: string;
  /** `_id < ObjectId(lt)`. */
  lt?: string;
}

export type ObjectIdWindowPlan = { ok: true; windows: ObjectIdWindow[] } | { ok: false; problems: InputProblem[] };

/** planWindows, each window with its `_id` range; a range past 2106-02-07T06:28:16Z is a problem. */
export function planObjectIdWindows(input: WindowPlanInput): ObjectIdWindowPlan {
  const beyond: InputProblem[] = [];
  for (const field of ['fromMs', 'toMs'] as const) {
    if (typeof input[field] === 'number' && input[field] > OBJECTID_END_MS) {
      beyond.push({
        field,
        value: input[field],
        message: `is past the end of ObjectId time, ${new Date(OBJECTID_END_MS).toISOString()} (32 bits of seconds)`,
      });
    }
  }
  const plan = planWindows(input);
  if (!plan.ok || beyond.length > 0) return { ok: false, problems: [...beyond, ...(plan.ok ? [] : plan.problems)] };
  return { ok: true, windows: plan.windows.map(objectIdWindow) };
}

/** One window's `_id` range. Throws RangeError past the end of ObjectId time (planObjectIdWindows reports it). */
export function objectIdWindow(window: TimeWindow): ObjectIdWindow {
  const start = boundarySeconds(window.fromMs);
  const end = boundarySeconds(window.toMs);
  if (end > OBJECTID_MAX_SECONDS + 1) {
    throw new RangeError(`window ${window.index} ends past the end of ObjectId time (${end} s)`);
  }
  if (end <= OBJECTID_MAX_SECONDS) return { ...window, gte: objectIdLowerBound(start), lt: objectIdLowerBound(end) };
  // Runs to the end of ObjectId time. A window starting inside its very last second holds no whole second:
  // an empty range, as the window before it (ending in that second too) already runs to the end.
  if (start > OBJECTID_MAX_SECONDS) {
    const last = objectIdLowerBound(OBJECTID_MAX_SECONDS);
    return { ...window, gte: last, lt: last };
  }
  return { ...window, gte: objectIdLowerBound(start) };
}

/** The window's filter as an Extended JSON object (`EJSON.deserialize` turns `$oid` into ObjectIds). */
export function mongoWindowFilter(window: Pick<ObjectIdWindow, 'gte' | 'lt'>): {
  _id: { $gte: { $oid: string }; $lt?: { $oid: string } };
} {
  return {
    _id:
      window.lt === undefined
        ? { $gte: { $oid: window.gte } }
        : { $gte: { $oid: window.gte }, $lt: { $oid: window.lt } },
  };
}

/** The filter text an ADF Copy activity's Mongo source takes: `{"_id":{"$gte":{"$oid":"…"},"$lt":{"$oid":"…"}}}`. */
export function mongoWindowFilterJson(window: Pick<ObjectIdWindow, 'gte' | 'lt'>): string {
  return JSON.stringify(mongoWindowFilter(window));
}
