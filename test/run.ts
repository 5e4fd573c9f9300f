// `npm test`: starts one local stack (random ports, in memory) and bundles the workflows once, then runs
// every test file with node's test runner against them, and stops the stack whatever happens.
import '../src/lib/check-node';
import { bundleWorkflowCode } from '@temporalio/worker';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { startStack } from '../dev/stack';
import { removeCompiledBuild } from './support/compiled-build';
import { postSuiteSecretsScan } from './support/secrets';
import type { TestStackInfo } from './support/stack-info';
import { quietLogger } from './support/quiet-logger';

const root = join(__dirname, '..');

function findTests(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return findTests(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

async function main(): Promise<number> {
  const filters = process.argv.slice(2);
  const files = findTests(join(root, 'test'))
    .map((f) => relative(root, f))
    .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
    .sort();
  if (files.length === 0) throw new Error(`no test files match ${filters.join(' ')}`);

  const dataDir = mkdtempSync(join(tmpdir(), 'azbackup-test-'));
  const t0 = Date.now();
  const stack = await startStack({ dataDir, ports: 'random', log: (m) => console.log(m) });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await stack.stop();
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => void stop().then(() => process.exit(130)));
  try {
    const tStack = Date.now();
    const bundle = await bundleWorkflowCode({
      workflowsPath: require.resolve('../src/workflows'),
      logger: quietLogger,
    });
    const bundlePath = join(dataDir, 'workflow-bundle.js');
    writeFileSync(bundlePath, bundle.code);
    console.log(
      `Stack ready in ${((tStack - t0) / 1000).toFixed(1)} s, workflows bundled in ${((Date.now() - tStack) / 1000).toFixed(1)} s.`,
    );
    const info: TestStackInfo = {
      config: stack.config,
      configFile: stack.configFile,
      ports: stack.ports,
      temporalCli: stack.temporal.cliPath,
      workflowBundlePath: bundlePath,
      dataDir,
    };
    const infoFile = join(dataDir, 'stack.json');
    writeFileSync(infoFile, JSON.stringify(info, null, 2));
    const tapFile = join(dataDir, 'results.tap');
    const args = ['--import', 'tsx', '--test', '--test-concurrency=2'];
    args.push('--test-reporter=spec', '--test-reporter-destination=stdout');
    args.push('--test-reporter=tap', `--test-reporter-destination=${tapFile}`, ...files);
    const code = await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, args, {
        cwd: root,
        stdio: 'inherit',
        env: { ...process.env, AZBACKUP_TEST_STACK: infoFile },
      });
      child.on('close', (c) => resolve(c ?? 1));
    });
    printSummary(tapFile);
    // After the last file (a test file cannot see the files still running beside it): every history of
    // the run is scanned for account keys, SAS signatures and connection strings.
    try {
      console.log(await postSuiteSecretsScan(info));
    } catch (err) {
      console.error(err instanceof Error ? err.message : err);
      return code || 1;
    }
    return code;
  } finally {
    await stop();
    removeCompiledBuild(dataDir);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function printSummary(tapFile: string): void {
  const tap = readFileSync(tapFile, 'utf8');
  const count = (name: string) => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(tap)?.[1] ?? 0);
  console.log(`tests: ${count('pass')} passed, ${count('fail')} failed, ${count('skipped')} skipped`);
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
