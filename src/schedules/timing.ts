// When a schedule runs, as people write it: durations (6h, 1h30m, 45s), five-field cron lines, a daily
// time of day (02:30), and IANA time zones. Pure checks, so a bad line is refused before anything is created.

const DURATION = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/** Milliseconds of `6h`, `1h30m`, `45s`, `2d`; undefined when the text is not such a duration. */
export function parseDurationMs(text: unknown): number | undefined {
  if (typeof text !== 'string' || text === '') return undefined;
  const m = DURATION.exec(text);
  if (!m) return undefined;
  const [d, h, min, s] = m.slice(1).map((part) => Number(part ?? 0)) as [number, number, number, number];
  return (((d * 24 + h) * 60 + min) * 60 + s) * 1000;
}

export function durationProblem(text: unknown, minMs: number, minText: string): string | undefined {
  const ms = parseDurationMs(text);
  if (ms === undefined) return 'must be a duration like 6h, 30m, 1h30m or 45s';
  if (ms < minMs) return `must be at least ${minText}`;
  return undefined;
}

/** Temporal's cron: five fields (minute hour day-of-month month day-of-week) or a shorthand like @daily. */
const CRON_FIELD = /^(\*|\?|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/\d+)?(,(\*|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/\d+)?)*$/;
const CRON_SHORTHANDS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];

export function cronProblem(text: unknown): string | undefined {
  const message = "must be a cron line of five fields (minute hour day month weekday), e.g. '0 2 * * *', or @daily";
  if (typeof text !== 'string') return message;
  const line = text.trim();
  if (CRON_SHORTHANDS.includes(line)) return undefined;
  if (/^(CRON_)?TZ=/.test(line)) return 'must not carry a time zone: set timezone instead';
  const fields = line.split(/\s+/);
  if (fields.length !== 5 || !fields.every((f) => CRON_FIELD.test(f))) return message;
  return undefined;
}

/** `HH:MM`, every day. */
export function parseTimeOfDay(text: unknown): { hour: number; minute: number } | undefined {
  const m = typeof text === 'string' ? /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text) : null;
  return m ? { hour: Number(m[1]), minute: Number(m[2]) } : undefined;
}

export function timeZoneProblem(text: unknown): string | undefined {
  if (typeof text !== 'string' || text === '') return 'must be an IANA time zone such as Europe/Berlin or UTC';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: text });
    return undefined;
  } catch {
    return 'is not an IANA time zone (e.g. Europe/Berlin, America/New_York, UTC)';
  }
}
