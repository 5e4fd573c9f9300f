// The build the Docker image runs (tsc output plus the prebuilt workflow bundle), made once per `npm test`
// run and shared by the files that need it: the first to ask builds, the others wait for it. It lives inside
// the repo (git-ignored .azbackup-dev/) so that compiled files resolve node_modules as dist/ does;
// test/run.ts removes it when the run ends.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';

const root = join(__dirname, '..', '..');
const run = promisify(execFile);

/** Where this test run's build goes (its name follows the run's data directory). */
export function compiledBuildDir(dataDir: string): string {
  return join(root, '.azbackup-dev', `test-build-${basename(dataDir)}`);
}

/** The compiled build's directory once it holds src/workers/main.js and workflow-bundle.js. */
export async function ensureCompiledBuild(dataDir: string, timeoutInMs = 600_000): Promise<string> {
  const dir = compiledBuildDir(dataDir);
  const done = join(dir, '.complete');
  const failed = join(dir, '.failed');
  mkdirSync(dirname(dir), { recursive: true }); // a fresh clone has no .azbackup-dev/ yet
  try {
    mkdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    // Another test file builds it: wait for its outcome.
    const deadline = Date.now() + timeoutInMs;
    while (Date.now() < deadline) {
      if (existsSync(done)) return dir;
      if (existsSync(failed)) throw new Error(`the compiled build failed: ${readFileSync(failed, 'utf8')}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`the compiled build in ${dir} did not finish within ${timeoutInMs / 1000} s`);
  }
  try {
    await run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', dir], {
      cwd: root,
    });
    // The bundle script writes next to the compiled tree it runs from, as `npm run bundle` does into dist/.
    await run(process.execPath, [join(dir, 'src', 'workers', 'bundle-workflows.js')], { cwd: root });
    writeFileSync(done, new Date().toISOString());
    return dir;
  } catch (err) {
    const e = err as { message?: string; stdout?: string; stderr?: string };
    writeFileSync(failed, `${e.message ?? err}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
    throw err;
  }
}

/** Removes a run's build (test/run.ts, when the run ends). */
export function removeCompiledBuild(dataDir: string): void {
  rmSync(compiledBuildDir(dataDir), { recursive: true, force: true });
}
