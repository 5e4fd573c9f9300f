// One-line summaries the Temporal UI shows for child workflows and activities, so a run's timeline says
// which page or window each row is ("page 3: blobs a…k", "window 2: 2026-11-30T00:00Z…04:00Z") instead of
// the same activity name a hundred times. Pure: they run inside workflows.
import type { NameRange } from './name-range';
import type { TimeWindow } from './time-windows';

const MAX_NAME_CHARS = 40;

/** A backup page by its name range (lo, hi]. */
export function namePageSummary(pageIndex: number, range: NameRange): string {
  return `page ${pageIndex}: blobs ${shortName(range.lo, '(start)')}…${shortName(range.hi, '(end)')}`;
}

/** A page of a committed run's catalog (restore, scrub): its range is in the catalog, not in the workflow. */
export function catalogPageSummary(pageIndex: number, runKey: string): string {
  return `page ${pageIndex} of run ${runKey}`;
}

/** A window of a document export: its [from, to) in UTC minutes, the end's date left out on the same day. */
export function windowSummary(window: TimeWindow, pass: 'window' | 'all' | 'outside'): string {
  if (pass === 'all') return `all documents as of ${minutes(window.toMs)}`;
  if (pass === 'outside') return 'documents outside every window (no ObjectId _id)';
  const from = minutes(window.fromMs);
  const to = minutes(window.toMs);
  const sameDay = from.slice(0, 10) === to.slice(0, 10);
  return `window ${window.index}: ${from}…${sameDay ? to.slice(11) : to}`;
}

function minutes(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16)}Z`;
}

function shortName(name: string | undefined, missing: string): string {
  if (name === undefined) return missing;
  return name.length > MAX_NAME_CHARS ? `${name.slice(0, MAX_NAME_CHARS - 1)}~` : name;
}
