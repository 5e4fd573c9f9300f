// A schedule as azbackup defines it (from `schedule create` or the config's `schedules:` section): what
// to start (kind + the workflow's own input) and when (every | cron | at, time zone, jitter), with the
// policies that matter for backups (overlap skip by default, catch-up window, pause on failure).
// Checked without I/O, every problem at once, each naming its field; normalised so two definitions
// compare field by field (what `create` and `apply` report as changed).
import { nameProblems } from '../config/connection-refs';
import type { Config } from '../config/schema';
import { fieldsOf, type InputProblem } from '../domain/input-problems';
import { isScheduleKind, SCHEDULE_KIND_NAMES, SCHEDULE_KINDS, type ScheduleKind } from './kinds';
import { cronProblem, durationProblem, parseDurationMs, parseTimeOfDay, timeZoneProblem } from './timing';

export const OVERLAPS = ['skip', 'buffer-one'] as const;
export type Overlap = (typeof OVERLAPS)[number];

export interface ScheduleDefinition {
  kind: ScheduleKind;
  /** The workflow's input, exactly as a start takes it (connection names, never secrets). */
  input: Record<string, unknown>;
  /** Exactly one of: an interval (`6h`), a cron line (`0 2 * * *`), or a daily time (`02:30`). */
  every?: string;
  cron?: string;
  at?: string;
  /** IANA zone for cron and at (default UTC). */
  timezone?: string;
  /** Each run starts up to this much later, at random (spreads many schedules). Less than `every`. */
  jitter?: string;
  /** A run due while the previous one is still going: skipped (default) or one kept to start after it. */
  overlap?: Overlap;
  /** Runs missed while Temporal was down are still started when at most this late (default 1m). */
  catchupWindow?: string;
  /** A failed run pauses the schedule, Temporal's note saying which run (default true). */
  pauseOnFailure?: boolean;
  note?: string;
  paused?: boolean;
}

/** A definition with its defaults filled in: what is stored and compared. */
export type NormalizedSchedule = Required<
  Pick<ScheduleDefinition, 'kind' | 'input' | 'overlap' | 'catchupWindow' | 'pauseOnFailure'>
> &
  Omit<ScheduleDefinition, 'kind' | 'input' | 'overlap' | 'catchupWindow' | 'pauseOnFailure'>;

const FIELDS = [
  'kind',
  'input',
  'every',
  'cron',
  'at',
  'timezone',
  'jitter',
  'overlap',
  'catchupWindow',
  'pauseOnFailure',
  'note',
  'paused',
] as const;

export const SCHEDULE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;
const MIN_INTERVAL_MS = 60_000;
const MIN_CATCHUP_MS = 10_000;

/**
 * Every problem of a definition: its own fields, the workflow's input checks (fields `input.<name>`),
 * and, with a config, the connections it names.
 */
export function scheduleProblems(
  id: unknown,
  definition: unknown,
  config?: Pick<Config, 'connections'>,
  nowMs = Date.now(),
): InputProblem[] {
  const problems: InputProblem[] = [];
  const check = (field: string, value: unknown, message: string | undefined) => {
    if (message) problems.push({ field, value, message });
  };
  check(
    'id',
    id,
    typeof id === 'string' && SCHEDULE_ID.test(id)
      ? undefined
      : 'must be 1-200 letters, digits, dots, dashes or underscores, starting with a letter or digit',
  );
  if (typeof definition !== 'object' || definition === null || Array.isArray(definition))
    return [...problems, { field: '(schedule)', value: definition, message: 'must be an object' }];
  const d = fieldsOf(definition);
  for (const key of Object.keys(d))
    if (!(FIELDS as readonly string[]).includes(key))
      check(key, d[key], `is not a schedule setting (known: ${FIELDS.join(', ')})`);
  check('kind', d.kind, isScheduleKind(d.kind) ? undefined : `must be one of ${SCHEDULE_KIND_NAMES.join(', ')}`);

  const timings = (['every', 'cron', 'at'] as const).filter((f) => d[f] !== undefined);
  if (timings.length !== 1)
    check(
      timings[1] ?? 'every',
      timings.length ? timings.join(' and ') : undefined,
      'give exactly one of every, cron or at',
    );
  if (d.every !== undefined) check('every', d.every, durationProblem(d.every, MIN_INTERVAL_MS, '1m'));
  if (d.cron !== undefined) check('cron', d.cron, cronProblem(d.cron));
  if (d.at !== undefined)
    check('at', d.at, parseTimeOfDay(d.at) ? undefined : 'must be a time of day HH:MM (24 h), e.g. 02:30');
  if (d.timezone !== undefined) {
    check('timezone', d.timezone, timeZoneProblem(d.timezone));
    if (d.every !== undefined)
      check('timezone', d.timezone, 'applies to cron and at only (an interval has no time of day)');
  }
  if (d.jitter !== undefined) {
    const problem = durationProblem(d.jitter, 0, '0s');
    check('jitter', d.jitter, problem);
    const every = parseDurationMs(d.every);
    if (!problem && every !== undefined && parseDurationMs(d.jitter)! >= every)
      check('jitter', d.jitter, `must be shorter than every (${String(d.every)})`);
  }
  if (d.catchupWindow !== undefined)
    check('catchupWindow', d.catchupWindow, durationProblem(d.catchupWindow, MIN_CATCHUP_MS, '10s'));
  check(
    'overlap',
    d.overlap,
    d.overlap === undefined || OVERLAPS.includes(d.overlap as Overlap)
      ? undefined
      : `must be one of ${OVERLAPS.join(', ')}`,
  );
  for (const flag of ['pauseOnFailure', 'paused'] as const)
    check(flag, d[flag], d[flag] === undefined || typeof d[flag] === 'boolean' ? undefined : 'must be true or false');
  check('note', d.note, d.note === undefined || typeof d.note === 'string' ? undefined : 'must be text');

  if (typeof d.input !== 'object' || d.input === null || Array.isArray(d.input)) {
    check('input', d.input, "must be an object: the workflow's input");
  } else if (isScheduleKind(d.kind)) {
    const spec = SCHEDULE_KINDS[d.kind];
    for (const p of spec.problems(d.input, nowMs)) problems.push({ ...p, field: `input.${p.field}` });
    if (config && !problems.some((p) => p.field.startsWith('input.')))
      problems.push(...nameProblems(config as Config, spec.refs(d.input as Record<string, unknown>)));
  }
  return problems;
}

/** Defaults filled in, absent fields left out (so `{}` and `{ note: undefined }` compare equal). */
export function normalizeSchedule(d: ScheduleDefinition): NormalizedSchedule {
  const normalized = {
    ...d,
    overlap: d.overlap ?? 'skip',
    catchupWindow: d.catchupWindow ?? '1m',
    pauseOnFailure: d.pauseOnFailure ?? true,
    ...(d.paused ? { paused: true } : { paused: undefined }),
  };
  return JSON.parse(JSON.stringify(normalized)) as NormalizedSchedule;
}

/** The fields that differ (`input.<name>` for the input's), in a stable order. */
export function scheduleChanges(a: NormalizedSchedule, b: NormalizedSchedule): string[] {
  const changed: string[] = [];
  for (const field of FIELDS) {
    if (field === 'input') {
      const keys = [...new Set([...Object.keys(a.input), ...Object.keys(b.input)])].sort();
      for (const k of keys) if (!sameJson(a.input[k], b.input[k])) changed.push(`input.${k}`);
    } else if (!sameJson(a[field], b[field])) changed.push(field);
  }
  return changed;
}

/** How it runs, in a few words: `every 6h`, `cron 0 2 * * * (Europe/Berlin)`, `daily at 02:30 (UTC)`. */
export function describeTiming(d: ScheduleDefinition): string {
  const zone = d.timezone ? ` (${d.timezone})` : d.every ? '' : ' (UTC)';
  const when = d.every ? `every ${d.every}` : d.cron ? `cron ${d.cron}` : `daily at ${d.at}`;
  return `${when}${zone}${d.jitter ? `, jitter ${d.jitter}` : ''}`;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (typeof v !== 'object' || v === null) return v;
  return Object.fromEntries(
    Object.entries(v)
      .sort(([x], [y]) => x.localeCompare(y))
      .map(([k, x]) => [k, sortKeys(x)]),
  );
}

/** The config's declared schedules (already checked by parseConfig). */
export function declaredSchedules(config: Config): Record<string, ScheduleDefinition> {
  return (config.schedules ?? {}) as unknown as Record<string, ScheduleDefinition>;
}
