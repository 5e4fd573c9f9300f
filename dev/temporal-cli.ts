// Finding the `temporal` CLI: $TEMPORAL_CLI, then PATH, then our cache; with Go present, build it once
// into the cache (this machine class has no download access to temporal.download, only the Go proxy).
import { spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

/** Newest CLI tag whose go.mod has no `replace` directive (go install refuses those). */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
const MODULE = `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`;

export type TemporalCli = { kind: 'binary'; path: string; origin: string } | { kind: 'sdk-download' };

export interface EnsureTemporalCliOptions {
  env?: NodeJS.ProcessEnv;
  log?: (message: string) => void;
}

export function temporalCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.AZBACKUP_CACHE_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'azbackup');
  return join(base, `temporal-cli-${TEMPORAL_CLI_VERSION}`);
}

export async function ensureTemporalCli(options: EnsureTemporalCliOptions = {}): Promise<TemporalCli> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => {});
  if (env.TEMPORAL_CLI) {
    if (!isExecutable(env.TEMPORAL_CLI)) {
      throw new Error(`TEMPORAL_CLI is set to ${env.TEMPORAL_CLI}, but no executable file is there.`);
    }
    return { kind: 'binary', path: env.TEMPORAL_CLI, origin: 'TEMPORAL_CLI' };
  }
  const onPath = findOnPath('temporal', env.PATH ?? '');
  if (onPath) return { kind: 'binary', path: onPath, origin: 'PATH' };
  const cached = join(temporalCacheDir(env), 'temporal');
  if (isExecutable(cached)) return { kind: 'binary', path: cached, origin: 'cache' };
  const go = findOnPath('go', env.PATH ?? '');
  if (!go) {
    log('No temporal CLI found (TEMPORAL_CLI, PATH, cache) and no Go toolchain: trying the Temporal SDK download.');
    return { kind: 'sdk-download' };
  }
  await buildWithGo(go, cached, env, log);
  return { kind: 'binary', path: cached, origin: 'built with go install' };
}

async function buildWithGo(go: string, target: string, env: NodeJS.ProcessEnv, log: (m: string) => void) {
  const dir = temporalCacheDir(env);
  mkdirSync(dir, { recursive: true });
  // Build into a private directory and rename, so a concurrent start never sees half a binary.
  const staging = mkdtempSync(join(dir, '.build-'));
  log(
    `Building the temporal CLI ${TEMPORAL_CLI_VERSION} with 'go install ${MODULE}' into ${dir}. ` +
      'This happens once per machine and takes 2-6 minutes on 2 cores.',
  );
  const started = Date.now();
  const ticker = setInterval(
    () => log(`  still building the temporal CLI (${Math.round((Date.now() - started) / 1000)} s)...`),
    30_000,
  );
  try {
    const output = await run(go, ['install', MODULE], {
      ...env,
      GOBIN: staging,
      GOFLAGS: [env.GOFLAGS, '-mod=mod'].filter(Boolean).join(' '),
      // Never try to fetch another Go toolchain: with no internet that fails slowly and obscurely.
      GOTOOLCHAIN: 'local',
    });
    if (output.code !== 0) {
      throw new Error(
        `Building the temporal CLI failed (go install exited with ${output.code}). It needs Go >= 1.25 and access to ` +
          `the Go module proxy. Alternatively install the temporal CLI yourself and set TEMPORAL_CLI=/path/to/temporal.\n` +
          `Last output of go install:\n${output.text.trimEnd().split('\n').slice(-15).join('\n')}`,
      );
    }
    renameSync(join(staging, 'temporal'), target);
    log(`Built the temporal CLI in ${Math.round((Date.now() - started) / 1000)} s: ${target}`);
  } finally {
    clearInterval(ticker);
    rmSync(staging, { recursive: true, force: true });
  }
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; text: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (d) => (text += d));
    child.stderr.on('data', (d) => (text += d));
    child.on('error', (err) => resolve({ code: -1, text: err.message }));
    child.on('close', (code) => resolve({ code, text }));
  });
}

function findOnPath(name: string, pathVar: string): string | undefined {
  for (const dir of pathVar.split(delimiter)) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
