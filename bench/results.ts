// Results as data: every bench run writes bench/results/<suite>-<YYYY-MM-DD>[-<n>].json with its ratios, the
// medians and spreads of repeated measurements, the versions that produced them and the state of the machine
// (on shared 2-core machines the load average explains more of a bad run than anything else).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { ensureTemporalCli, TEMPORAL_CLI_VERSION } from '../dev/temporal-cli';

const ROOT = join(__dirname, '..');
export const RESULTS_DIR = join(__dirname, 'results');

/** A ratio the benchmark reports, computed from medians; `target` is the goal, when there is one. */
export interface Ratio {
  name: string;
  value: number;
  /** 'x' (default): a ratio, printed as 1.23x; otherwise a plain figure in that unit, e.g. 'events/blob'. */
  unit?: string;
  /** e.g. '>= 0.8'; undefined when the figure is context rather than a goal. */
  target?: string;
  detail: string;
}

/** Repeated measurements of one quantity: their median and spread. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  values: number[];
}

export function spread(values: number[]): Spread {
  if (values.length === 0) throw new Error('spread of no measurements');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted.at(-1)!, values };
}

/** "38.1 s" for one value, "38.1 s (median of 3, 36.0–40.2)" for several. */
export function describeSpread(s: Spread, unit: string, digits = 1): string {
  const f = (x: number) => x.toFixed(digits);
  if (s.values.length === 1) return `${f(s.median)} ${unit}`;
  return `${f(s.median)} ${unit} (median of ${s.values.length}, ${f(s.min)}–${f(s.max)})`;
}

export interface Versions {
  node: string;
  azbackup: { commit: string | undefined; dirty: boolean; changedFiles: string[] };
  azurite: string;
  /** The CLI the stack runs; 'not used' for suites that start no stack. */
  temporalCli: { tag: string; version: string | undefined; origin: string } | 'not used';
  /** Filled by suites that run rclone; a skipped peer says why. */
  rclone?: { version: string | undefined; path: string; origin: string; flags: string } | { skipped: string };
}

export interface Machine {
  cores: number;
  cpuModel: string | undefined;
  memoryMiB: number;
  /** 1, 5 and 15 minute load averages. */
  loadAverage: { start: number[]; end?: number[] };
}

export interface BenchEnvironment {
  startedAt: string;
  versions: Versions;
  machine: Machine;
}

/** Versions and machine state at the start of a run; `stack: false` for suites that start no local stack. */
export async function benchEnvironment(options: { stack: boolean }): Promise<BenchEnvironment> {
  const startedAt = new Date().toISOString();
  const loadStart = loadavg();
  return {
    startedAt,
    versions: {
      node: process.version,
      azbackup: gitState(),
      azurite: (JSON.parse(readFileSync(require.resolve('azurite/package.json'), 'utf8')) as { version: string })
        .version,
      temporalCli: options.stack ? await temporalCli() : 'not used',
    },
    machine: {
      cores: cpus().length,
      cpuModel: cpus()[0]?.model,
      memoryMiB: Math.round(totalmem() / 2 ** 20),
      loadAverage: { start: loadStart.map(round2) },
    },
  };
}

/**
 * Writes `bench/results/<suite>-<date>[-<n>].json` (the first free name; never overwrites) and returns its
 * path, formatted as `npm run lint` expects. The end-of-run load average is taken here.
 */
export async function writeResults(
  suite: string,
  environment: BenchEnvironment,
  body: Record<string, unknown>,
  /** A file this run wrote before (a long suite's partial results), rewritten instead of a new one. */
  rewrite?: string,
): Promise<string> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const finishedAt = new Date().toISOString();
  const json = {
    suite,
    startedAt: environment.startedAt,
    finishedAt,
    durationSeconds: Math.round((Date.parse(finishedAt) - Date.parse(environment.startedAt)) / 1000),
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
    versions: environment.versions,
    machine: {
      ...environment.machine,
      loadAverage: { start: environment.machine.loadAverage.start, end: loadavg().map(round2) },
    },
    ...body,
  };
  const date = environment.startedAt.slice(0, 10);
  const text = await format(JSON.stringify(json), {
    ...(await resolveConfig(join(RESULTS_DIR, 'x.json'))),
    parser: 'json',
  });
  if (rewrite) {
    writeFileSync(rewrite, text);
    return rewrite;
  }
  for (let n = 1; ; n++) {
    const file = join(RESULTS_DIR, `${suite}-${date}${n === 1 ? '' : `-${n}`}.json`);
    try {
      writeFileSync(file, text, { flag: 'wx' });
      return file;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

/** Prints ratios as an aligned table. */
export function printRatios(ratios: Ratio[]): void {
  const width = Math.max(...ratios.map((r) => r.name.length));
  const targets = ratios.map((r) => (r.target ? `target ${r.target}` : ''));
  const targetWidth = Math.max(...targets.map((t) => t.length));
  for (const [i, r] of ratios.entries()) {
    console.log(
      `  ${r.name.padEnd(width)} ${formatValue(r).padStart(7)}  ${targets[i]!.padEnd(targetWidth)}  ${r.detail}`,
    );
  }
}

function formatValue(r: Ratio): string {
  if (!Number.isFinite(r.value)) return 'n/a';
  return r.unit === undefined || r.unit === 'x' ? `${r.value.toFixed(2)}x` : r.value.toFixed(4);
}

async function temporalCli(): Promise<Exclude<Versions['temporalCli'], 'not used'>> {
  // The stack would find (or build) the same one a moment later.
  const cli = await ensureTemporalCli({ log: (m) => console.log(m) });
  if (cli.kind !== 'binary') return { tag: TEMPORAL_CLI_VERSION, version: undefined, origin: 'downloaded by the SDK' };
  const version = firstLine(spawnSync(cli.path, ['--version'], { encoding: 'utf8' }));
  return { tag: TEMPORAL_CLI_VERSION, version, origin: `${cli.origin}: ${cli.path}` };
}

function gitState(): Versions['azbackup'] {
  // Read-only, and without the index refresh `git status` would otherwise write (someone may be committing).
  const env = { ...process.env, GIT_OPTIONAL_LOCKS: '0' };
  const commit = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, env, encoding: 'utf8' });
  const status = spawnSync('git', ['status', '--porcelain'], { cwd: ROOT, env, encoding: 'utf8' });
  const changedFiles =
    status.status === 0
      ? status.stdout
          .split('\n')
          .filter(Boolean)
          .map((l) => l.slice(3))
      : [];
  return {
    commit: commit.status === 0 ? commit.stdout.trim() : undefined,
    dirty: changedFiles.length > 0,
    changedFiles,
  };
}

function firstLine(result: { status: number | null; stdout: string }): string | undefined {
  return result.status === 0 ? result.stdout.split('\n')[0]?.trim() : undefined;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
