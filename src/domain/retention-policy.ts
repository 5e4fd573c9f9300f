// Which backup runs a retention policy keeps, with restic's `forget` semantics: runs are taken newest
// first; each bucket rule (hourly, daily, ...) keeps the newest run of each of its N newest buckets, and
// the oldest run too while a rule still has buckets to fill. Times are bucketed in UTC.

export interface RetentionPolicy {
  keepLast?: number;
  keepHourly?: number;
  keepDaily?: number;
  keepWeekly?: number;
  keepMonthly?: number;
  keepYearly?: number;
  /** Keep every run within this duration of the newest run: `1y2m3d4h` (years, months, days, hours). */
  keepWithin?: string;
}

export interface TimedRun {
  key: string;
  /** When the run started (ISO). */
  time: string;
}

export interface RetentionDecision {
  /** Newest first, with why each run stays. */
  keep: { key: string; reasons: string[] }[];
  /** Newest first. */
  remove: string[];
}

type Bucker = (t: Date, index: number) => number;

const RULES: [keyof Omit<RetentionPolicy, 'keepWithin'>, string, Bucker][] = [
  ['keepLast', 'last', (_t, i) => i],
  ['keepHourly', 'hourly', (t) => ymd(t) * 100 + t.getUTCHours()],
  ['keepDaily', 'daily', (t) => ymd(t)],
  ['keepWeekly', 'weekly', (t) => isoWeek(t)],
  ['keepMonthly', 'monthly', (t) => t.getUTCFullYear() * 100 + t.getUTCMonth() + 1],
  ['keepYearly', 'yearly', (t) => t.getUTCFullYear()],
];

/** Keeps nothing explicitly: no count above 0 and no keepWithin of any length ('0d' is no length). */
export function isEmptyPolicy(policy: RetentionPolicy): boolean {
  return RULES.every(([field]) => !policy[field]) && !hasLength(policy.keepWithin);
}

function hasLength(keepWithin: string | undefined): boolean {
  if (!keepWithin) return false;
  try {
    const d = parseDuration(keepWithin);
    return d.years + d.months + d.days + d.hours > 0;
  } catch {
    return true; // malformed: the validator names it; it is not "empty"
  }
}

/** An empty policy keeps everything (a missing policy must never mean "delete all"). */
export function applyRetentionPolicy(runs: TimedRun[], policy: RetentionPolicy): RetentionDecision {
  const sorted = [...runs].sort((a, b) => Date.parse(b.time) - Date.parse(a.time) || (a.key < b.key ? 1 : -1));
  if (isEmptyPolicy(policy)) return { keep: sorted.map((r) => ({ key: r.key, reasons: ['no policy'] })), remove: [] };
  const within = policy.keepWithin ? parseDuration(policy.keepWithin) : undefined;
  const newest = sorted[0] ? new Date(sorted[0].time) : undefined;
  const withinFrom = within && newest ? subtract(newest, within) : undefined;
  const state = RULES.map(([field, reason, bucker]) => ({ left: policy[field] ?? 0, last: NaN, reason, bucker }));
  const decision: RetentionDecision = { keep: [], remove: [] };
  sorted.forEach((run, index) => {
    const time = new Date(run.time);
    const reasons: string[] = [];
    if (withinFrom && time.getTime() > withinFrom.getTime()) reasons.push(`within ${policy.keepWithin}`);
    for (const rule of state) {
      if (rule.left <= 0) continue;
      const bucket = rule.bucker(time, index);
      // A new bucket, or the oldest run while the rule still has buckets to fill (restic keeps it).
      if (bucket !== rule.last || index === sorted.length - 1) {
        rule.last = bucket;
        rule.left--;
        reasons.push(rule.reason);
      }
    }
    if (reasons.length) decision.keep.push({ key: run.key, reasons });
    else decision.remove.push(run.key);
  });
  return decision;
}

export interface Duration {
  years: number;
  months: number;
  days: number;
  hours: number;
}

/** `1y2m3d4h`, any part optional, at least one present. Throws with the accepted form. */
export function parseDuration(text: string): Duration {
  const m = /^(?:(\d+)y)?(?:(\d+)m)?(?:(\d+)d)?(?:(\d+)h)?$/.exec(text);
  if (!m || text === '') throw new Error(`must be a duration like 30d, 12h or 1y6m (got ${JSON.stringify(text)})`);
  const n = (s: string | undefined) => (s ? Number(s) : 0);
  return { years: n(m[1]), months: n(m[2]), days: n(m[3]), hours: n(m[4]) };
}

function subtract(t: Date, d: Duration): Date {
  const r = new Date(t);
  r.setUTCFullYear(r.getUTCFullYear() - d.years, r.getUTCMonth() - d.months, r.getUTCDate() - d.days);
  r.setUTCHours(r.getUTCHours() - d.hours);
  return r;
}

function ymd(t: Date): number {
  return t.getUTCFullYear() * 10000 + (t.getUTCMonth() + 1) * 100 + t.getUTCDate();
}

/** ISO 8601 week as year * 100 + week (weeks start on Monday; week 1 holds the first Thursday). */
function isoWeek(t: Date): number {
  const d = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate()));
  const day = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() + 4 - day); // the Thursday of this week decides its year
  const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((d.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return d.getUTCFullYear() * 100 + week;
}
