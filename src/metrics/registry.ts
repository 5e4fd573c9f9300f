// A small Prometheus registry: counters and gauges with labels, rendered in the text exposition format
// (version 0.0.4: `# HELP`, `# TYPE`, then `name{label="value"} number` per series). Written here rather
// than taken from prom-client: azbackup needs two metric types and one render, and the format is small.
// Gauges are computed when scraped (`collect`), so an age like "seconds since" is never stale.

export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  labels: Labels;
  value: number;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

interface Family {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge';
  samples(nowMs: number): Sample[];
}

/** Only ever goes up; one series per distinct label set. */
export class Counter implements Family {
  readonly type = 'counter';
  private readonly series = new Map<string, Sample>();

  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  /** Adds `by` (0 creates the series, so a rate over it exists before anything happened). */
  inc(labels: Labels, by = 1): void {
    if (!(by >= 0) || !Number.isFinite(by)) throw new RangeError(`${this.name}: cannot add ${by} to a counter`);
    const key = labelKey(labels);
    const sample = this.series.get(key);
    if (sample) sample.value += by;
    else this.series.set(key, { labels: { ...labels }, value: by });
  }

  /** The current value of one series (0 when it does not exist). */
  value(labels: Labels): number {
    return this.series.get(labelKey(labels))?.value ?? 0;
  }

  samples(): Sample[] {
    return [...this.series.values()];
  }
}

/** A value computed at scrape time from state kept elsewhere. */
export class Gauge implements Family {
  readonly type = 'gauge';

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly collect: (nowMs: number) => Sample[],
  ) {}

  samples(nowMs: number): Sample[] {
    return this.collect(nowMs);
  }
}

export class Registry {
  private readonly families = new Map<string, Family>();

  counter(name: string, help: string): Counter {
    return this.add(new Counter(name, help));
  }

  gauge(name: string, help: string, collect: (nowMs: number) => Sample[]): Gauge {
    return this.add(new Gauge(name, help, collect));
  }

  /** Every family in registration order, series sorted by labels. */
  render(nowMs = Date.now()): string {
    const lines: string[] = [];
    for (const family of this.families.values()) {
      lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`);
      const samples = family.samples(nowMs).map((s) => ({ ...s, key: labelKey(s.labels) }));
      samples.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      for (const s of samples) lines.push(`${family.name}${renderLabels(s.labels)} ${formatValue(s.value)}`);
    }
    return lines.join('\n') + '\n';
  }

  private add<F extends Family>(family: F): F {
    if (!METRIC_NAME.test(family.name)) throw new Error(`not a Prometheus metric name: ${family.name}`);
    if (this.families.has(family.name)) throw new Error(`metric ${family.name} is registered twice`);
    this.families.set(family.name, family);
    return family;
  }
}

function labelKey(labels: Labels): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function renderLabels(labels: Labels): string {
  const entries = Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) return '';
  for (const [name] of entries) if (!LABEL_NAME.test(name)) throw new Error(`not a Prometheus label name: ${name}`);
  return `{${entries.map(([name, value]) => `${name}="${escapeLabelValue(value)}"`).join(',')}}`;
}

/** Label values escape backslash, double quote and line feed; HELP text only backslash and line feed. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}
