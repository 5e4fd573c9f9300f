// `npm run test:soak`: the long tests (worker killed five times in a 20,000-blob backup, Azurite and
// Temporal restarted mid-run, injected faults, a flipped byte found by a scrub). Bundles the workflows
// once; each file (test/soak/*.soak.ts, which `npm test` does not collect) starts its own stack. At the
// end it prints each test's duration and figures, and saves the figures as JSON in .scratch/soak/.
// Arguments starting with -- go to node's test runner; others filter files. AZBACKUP_SOAK_SEED replays
// a run's random choices.
import { bundleWorkflowCode } from '@temporalio/worker';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { SoakFigures } from './soak/soak-support';
import { quietLogger } from './support/quiet-logger';

const root = join(__dirname, '..');

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const nodeArgs = args.filter((a) => a.startsWith('--'));
  const filters = args.filter((a) => !a.startsWith('--'));
  const soakDir = join(root, 'test', 'soak');
  const files = readdirSync(soakDir)
    .filter((f) => f.endsWith('.soak.ts'))
    .map((f) => relative(root, join(soakDir, f)))
    .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
    .sort();
  if (files.length === 0) throw new Error(`no soak files match ${filters.join(' ')}`);

  const t0 = Date.now();
  const dataDir = mkdtempSync(join(tmpdir(), 'azbackup-soak-run-'));
  try {
    const bundle = await bundleWorkflowCode({
      workflowsPath: require.resolve('../src/workflows'),
      logger: quietLogger,
    });
    const bundlePath = join(dataDir, 'workflow-bundle.js');
    writeFileSync(bundlePath, bundle.code);
    const figuresFile = join(dataDir, 'figures.ndjson');
    writeFileSync(figuresFile, '');
    const seed = Number(process.env.AZBACKUP_SOAK_SEED) || Math.floor(Math.random() * 2 ** 31) + 1;
    console.log(`Soak: ${files.length} files, seed ${seed} (AZBACKUP_SOAK_SEED=${seed} replays it), load ${load()}`);
    const tapFile = join(dataDir, 'results.tap');
    // Two files at a time: the crash file keeps the CPU busy, the others mostly wait on outages and backoff.
    const testArgs = ['--import', 'tsx', '--test', '--test-concurrency=2', ...nodeArgs];
    testArgs.push('--test-reporter=spec', '--test-reporter-destination=stdout');
    testArgs.push('--test-reporter=tap', `--test-reporter-destination=${tapFile}`, ...files);
    const code = await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, testArgs, {
        cwd: root,
        stdio: 'inherit',
        env: {
          ...process.env,
          AZBACKUP_SOAK_BUNDLE: bundlePath,
          AZBACKUP_SOAK_FIGURES: figuresFile,
          AZBACKUP_SOAK_SEED: String(seed),
        },
      });
      child.on('close', (c) => resolve(c ?? 1));
    });
    summarize(tapFile, figuresFile, seed, Date.now() - t0);
    return code;
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function summarize(tapFile: string, figuresFile: string, seed: number, elapsedMs: number): void {
  const tap = existsSync(tapFile) ? readFileSync(tapFile, 'utf8') : '';
  const count = (name: string) => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(tap)?.[1] ?? 0);
  // Each test's duration, from the TAP report (its name on an `ok`/`not ok` line, the duration below it).
  const durations: { test: string; ok: boolean; seconds: number }[] = [];
  const lines = tap.split('\n');
  lines.forEach((line, i) => {
    const m = /^ {4}(ok|not ok) \d+ - (.+)$/.exec(line);
    const ms = m && /duration_ms: ([\d.]+)/.exec(lines.slice(i + 1, i + 4).join('\n'));
    if (m && ms) durations.push({ test: m[2]!, ok: m[1] === 'ok', seconds: Number(ms[1]) / 1000 });
  });
  const figures = readFileSync(figuresFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as SoakFigures);
  // A test cancelled by its file's failed hook is no pass either.
  const failed = count('fail') + count('cancelled');
  console.log('\n=== soak summary ===');
  for (const d of durations)
    console.log(`${d.ok ? 'ok    ' : 'FAILED'} ${d.seconds.toFixed(1).padStart(7)} s  ${d.test}`);
  console.log('--- figures ---');
  for (const f of figures) console.log(`${f.test}: ${f.summary}`);
  const total = `${(elapsedMs / 60_000).toFixed(1)} min`;
  console.log(`tests: ${count('pass')} passed, ${failed} failed; suite ${total}; load ${load()}; seed ${seed}`);
  const outDir = join(root, '.scratch', 'soak');
  mkdirSync(outDir, { recursive: true });
  const out = join(outDir, `soak-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const result = {
    finishedAt: new Date().toISOString(),
    elapsedMs,
    seed,
    loadAverage: loadavg(),
    passed: count('pass'),
    failed,
    tests: durations,
    figures,
  };
  writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
  console.log(`figures saved in ${relative(root, out)}`);
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
