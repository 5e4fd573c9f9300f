// Time windows for incremental exports (Cosmos `_ts`, Mongo ObjectId time): the range [from, to) is cut into
// consecutive windows of `windowSeconds`, with no gap and no overlap, so that each window is one export that
// is retried and resumed on its own, and the catalog records where the last completed window ended; the next
// run starts there. `to` stays a settle delay behind now, because writes still in flight at `to` would land
// behind a window already closed and the next run, starting at `to`, would never see them.
// Pure and deterministic (it runs inside workflows): the clock is a parameter, and bad input comes back as
// InputProblems naming the field, never as a throw.
import { problemCollector, positiveIntProblem, type InputProblem } from './input-problems';

/** Window length when none is given: a few hours of writes per export. */
export const DEFAULT_WINDOW_SECONDS = 4 * 3600;
/** How far `to` stays behind now by default: writes in flight and client clocks a little behind. */
export const DEFAULT_SETTLE_SECONDS = 300;
/** More windows than this is a mistake in `windowSeconds` or `from` (10,000 × 4 h is 4.5 years). */
export const MAX_WINDOWS = 10_000;
/** The longest window: a year and a day. Longer is one window anyway, and keeps the arithmetic small. */
export const MAX_WINDOW_SECONDS = 366 * 86_400;
/** The longest settle delay: a week. */
export const MAX_SETTLE_SECONDS = 7 * 86_400;

/** One window [fromMs, toMs); `index` counts from 0 and names the window's child workflow. */
export interface TimeWindow {
  index: number;
  fromMs: number;
  toMs: number;
}

export interface WindowPlanInput {
  /** Start of the range (inclusive), ms since the epoch. */
  fromMs: number;
  /** End of the range (exclusive), ms since the epoch. `fromMs === toMs` is an empty plan. */
  toMs: number;
  /** Window length; the last window is shorter when the range is not a multiple of it. */
  windowSeconds: unknown;
  /** At most this many windows (default MAX_WINDOWS). */
  maxWindows?: number;
}

export type WindowPlan = { ok: true; windows: TimeWindow[] } | { ok: false; problems: InputProblem[] };

export function planWindows(input: WindowPlanInput): WindowPlan {
  const { problems, check } = problemCollector();
  check('fromMs', input.fromMs, msProblem(input.fromMs));
  check('toMs', input.toMs, msProblem(input.toMs));
  check('windowSeconds', input.windowSeconds, windowSecondsProblem(input.windowSeconds, true));
  if (problems.length === 0 && input.fromMs > input.toMs) {
    check('fromMs', input.fromMs, `must not be after toMs (${iso(input.toMs)})`);
  }
  if (problems.length > 0) return { ok: false, problems };
  const windowMs = (input.windowSeconds as number) * 1000;
  const count = windowCount(input.fromMs, input.toMs, input.windowSeconds as number);
  const max = input.maxWindows ?? MAX_WINDOWS;
  if (count > max) {
    return { ok: false, problems: [tooManyWindows(input.windowSeconds, input.fromMs, input.toMs, count, max)] };
  }
  const windows = Array.from({ length: count }, (_, index) => ({
    index,
    fromMs: input.fromMs + index * windowMs,
    toMs: Math.min(input.fromMs + (index + 1) * windowMs, input.toMs),
  }));
  return { ok: true, windows };
}

/** How many windows planWindows makes of [fromMs, toMs) (0 for an empty range). */
export function windowCount(fromMs: number, toMs: number, windowSeconds: number): number {
  return toMs > fromMs ? Math.ceil((toMs - fromMs) / (windowSeconds * 1000)) : 0;
}

export interface ResolveRangeInput {
  /** ISO 8601 time with a zone (or a date, read as UTC midnight): export from here; overrides the catalog. */
  from?: unknown;
  /** ISO 8601 time with a zone (or a date): export up to here, exclusive; at most now minus the settle delay. */
  to?: unknown;
  /** The clock (in a workflow, the workflow's time), ms since the epoch. */
  nowMs: number;
  /** `to` defaults to now minus this, rounded down to a whole second. */
  settleSeconds: unknown;
  /** Where the catalog's last completed window ended, ms: the start of an incremental run. */
  lastCompletedEndMs?: number;
  /** Where to start with neither `from` nor a catalog, ms; 0 (the Unix epoch) when absent. */
  epochStartMs?: number;
  /** When given, checked too, and the range must make at most `maxWindows` windows of it. */
  windowSeconds?: unknown;
  maxWindows?: number;
}

export interface TimeRange {
  /** Inclusive start, ms. */
  fromMs: number;
  /** Exclusive end, ms; equal to fromMs when nothing has settled since the last completed window. */
  toMs: number;
  /** Where fromMs came from: the input's `from`, the catalog's last completed window, or the configured start. */
  fromSource: 'from' | 'catalog' | 'start';
  /** Where toMs came from: the input's `to`, or now minus the settle delay. */
  toSource: 'to' | 'settled now';
}

export type RangeResolution = { ok: true; range: TimeRange } | { ok: false; problems: InputProblem[] };

/**
 * The range the next export covers. `from` wins over the catalog (re-exporting a range is safe: copies
 * are idempotent), the catalog over `epochStartMs`. A range the caller asked for that is empty or reversed is a
 * problem; a derived one (catalog up to now) that is empty is not: nothing has settled since the last run.
 */
export function resolveRange(input: ResolveRangeInput): RangeResolution {
  const { problems, check } = problemCollector();
  check('nowMs', input.nowMs, msProblem(input.nowMs));
  check('settleSeconds', input.settleSeconds, settleProblem(input.settleSeconds));
  check('lastCompletedEndMs', input.lastCompletedEndMs, optionalMsProblem(input.lastCompletedEndMs));
  check('epochStartMs', input.epochStartMs, optionalMsProblem(input.epochStartMs));
  check('windowSeconds', input.windowSeconds, windowSecondsProblem(input.windowSeconds, false));
  const from = isoInputMs('from', input.from, check);
  const to = isoInputMs('to', input.to, check);
  if (problems.length > 0) return { ok: false, problems };

  const settledNowMs = Math.max(0, Math.floor((input.nowMs - (input.settleSeconds as number) * 1000) / 1000) * 1000);
  let toMs = to ?? settledNowMs;
  if (to !== undefined && to > settledNowMs) {
    check(
      'to',
      input.to,
      `must not be later than now minus the ${input.settleSeconds} s settle delay (${iso(settledNowMs)}): ` +
        'writes still in flight there would be missed by the next incremental run',
    );
  }
  const fromMs = from ?? input.lastCompletedEndMs ?? input.epochStartMs ?? 0;
  const fromSource = from !== undefined ? 'from' : input.lastCompletedEndMs !== undefined ? 'catalog' : 'start';
  if (fromMs >= toMs) {
    if (from !== undefined) check('from', input.from, `must be before to (${iso(toMs)})`);
    else if (to !== undefined) check('to', input.to, `must be after from (${iso(fromMs)}, from the ${fromSource})`);
    else toMs = fromMs; // nothing has settled since the last completed window
  }
  if (problems.length === 0 && input.windowSeconds !== undefined) {
    const count = windowCount(fromMs, toMs, input.windowSeconds as number);
    const max = input.maxWindows ?? MAX_WINDOWS;
    if (count > max) problems.push(tooManyWindows(input.windowSeconds, fromMs, toMs, count, max));
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, range: { fromMs, toMs, fromSource, toSource: to !== undefined ? 'to' : 'settled now' } };
}

/**
 * A window as Cosmos `_ts` bounds (whole seconds since the epoch): `_ts >= fromTs AND _ts < toTs`. A bound
 * inside a second rounds up, the same way for one window's end and the next one's start, so consecutive
 * windows still neither overlap nor leave a gap.
 */
export function cosmosTsBounds(window: { fromMs: number; toMs: number }): { fromTs: number; toTs: number } {
  return { fromTs: boundarySeconds(window.fromMs), toTs: boundarySeconds(window.toMs) };
}

/** A window bound in ms as the whole second that sources stamping seconds (`_ts`, ObjectIds) compare with. */
export function boundarySeconds(ms: number): number {
  return Math.ceil(ms / 1000);
}

const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/**
 * Ms since the epoch of an ISO 8601 time, or undefined. A time of day needs a zone (`Z` or `+01:00`): a local
 * time would mean something else on each worker. A bare date is UTC midnight. Digits beyond ms are dropped.
 * Calendar-impossible dates (2026-02-30) are refused rather than rolled over as Date.parse does.
 */
export function parseIsoTimeMs(text: string): number | undefined {
  const m = ISO_TIME.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map((s) => (s === undefined ? 0 : Number(s))) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

function isoInputMs(
  field: string,
  value: unknown,
  check: (field: string, value: unknown, message: string | undefined) => void,
): number | undefined {
  if (value === undefined) return undefined;
  const ms = typeof value === 'string' ? parseIsoTimeMs(value) : undefined;
  if (ms === undefined) {
    check(field, value, 'must be an ISO 8601 time with a zone, like 2026-11-30T12:00:00Z');
    return undefined;
  }
  if (ms < 0) {
    check(field, value, 'must not be before the Unix epoch, 1970-01-01T00:00:00Z');
    return undefined;
  }
  return ms;
}

function msProblem(value: unknown): string | undefined {
  return Number.isSafeInteger(value) && (value as number) >= 0
    ? undefined
    : 'must be a whole number of ms since the epoch, not negative';
}

function optionalMsProblem(value: unknown): string | undefined {
  return value === undefined ? undefined : msProblem(value);
}

function windowSecondsProblem(value: unknown, required: boolean): string | undefined {
  if (value === undefined)
    return required ? `is required: seconds per window, like ${DEFAULT_WINDOW_SECONDS}` : undefined;
  return positiveIntProblem(value, MAX_WINDOW_SECONDS);
}

function settleProblem(value: unknown): string | undefined {
  return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= MAX_SETTLE_SECONDS
    ? undefined
    : `must be a whole number of seconds from 0 to ${MAX_SETTLE_SECONDS}`;
}

function tooManyWindows(windowSeconds: unknown, fromMs: number, toMs: number, count: number, max: number) {
  return {
    field: 'windowSeconds',
    value: windowSeconds,
    message:
      `would cut ${iso(fromMs)} to ${iso(toMs)} into ${count} windows, more than ${max}: choose a larger ` +
      'windowSeconds or a later from',
  };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
