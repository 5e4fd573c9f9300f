// Finding rclone, the peer the blob benchmark measures azbackup against: $AZBACKUP_RCLONE, then PATH, then our
// cache; with Go present, build it once into the cache with `go install` (this machine class reaches the Go
// module proxy, not rclone's download site). Without rclone or Go the peer is unavailable, with the reason:
// the benchmark skips it and says why instead of failing, since rclone is a yardstick, not a dependency.
import { spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

export const RCLONE_VERSION = 'v1.75.0';
const MODULE = `github.com/rclone/rclone@${RCLONE_VERSION}`;

export type RcloneBinary =
  | { kind: 'binary'; path: string; origin: 'AZBACKUP_RCLONE' | 'PATH' | 'cache' | 'built with go install' }
  | { kind: 'unavailable'; reason: string };

export interface EnsureRcloneOptions {
  env?: NodeJS.ProcessEnv;
  log?: (message: string) => void;
}

export function rcloneCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.AZBACKUP_CACHE_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'azbackup');
  return join(base, `rclone-${RCLONE_VERSION}`);
}

// One build per cache directory and process, however many callers ask at once.
const building = new Map<string, Promise<RcloneBinary>>();

/**
 * The rclone to run, or why there is none. An AZBACKUP_RCLONE that points at nothing throws: it is a setting
 * to fix, not a missing tool.
 */
export async function ensureRclone(options: EnsureRcloneOptions = {}): Promise<RcloneBinary> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => {});
  if (env.AZBACKUP_RCLONE) {
    if (!isExecutable(env.AZBACKUP_RCLONE)) {
      throw new Error(`AZBACKUP_RCLONE is set to ${env.AZBACKUP_RCLONE}, but no executable file is there.`);
    }
    return { kind: 'binary', path: env.AZBACKUP_RCLONE, origin: 'AZBACKUP_RCLONE' };
  }
  const onPath = findOnPath('rclone', env.PATH ?? '');
  if (onPath) return { kind: 'binary', path: onPath, origin: 'PATH' };
  const dir = rcloneCacheDir(env);
  const cached = join(dir, 'rclone');
  if (isExecutable(cached)) return { kind: 'binary', path: cached, origin: 'cache' };
  const go = findOnPath('go', env.PATH ?? '');
  if (!go) {
    return {
      kind: 'unavailable',
      reason:
        `no rclone found (AZBACKUP_RCLONE, PATH, ${cached}) and no Go toolchain on PATH to build it ` +
        `(go install ${MODULE}); install rclone or set AZBACKUP_RCLONE=/path/to/rclone`,
    };
  }
  const pending = building.get(dir);
  if (pending) return pending;
  const build = buildWithGo(go, dir, env, log);
  building.set(dir, build);
  try {
    return await build;
  } finally {
    building.delete(dir);
  }
}

/** The first line of `rclone version` ("rclone v1.75.0-DEV" for a `go install` build), or undefined. */
export async function rcloneVersion(path: string): Promise<string | undefined> {
  const output = await run(path, ['version'], process.env);
  return output.code === 0 ? output.text.split('\n')[0]?.trim() : undefined;
}

async function buildWithGo(
  go: string,
  dir: string,
  env: NodeJS.ProcessEnv,
  log: (m: string) => void,
): Promise<RcloneBinary> {
  mkdirSync(dir, { recursive: true });
  // Build into a private directory and rename, so a concurrent run never sees half a binary.
  const staging = mkdtempSync(join(dir, '.build-'));
  log(
    `Building rclone ${RCLONE_VERSION} with 'go install ${MODULE}' into ${dir}. ` +
      'This happens once per machine and takes about 5 minutes on 2 cores.',
  );
  const started = Date.now();
  const ticker = setInterval(
    () => log(`  still building rclone (${Math.round((Date.now() - started) / 1000)} s)...`),
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
      return {
        kind: 'unavailable',
        reason:
          `building rclone failed (go install ${MODULE} exited with ${output.code}; it needs a recent Go and ` +
          `the Go module proxy); set AZBACKUP_RCLONE=/path/to/rclone to use another build. Last output:\n` +
          output.text.trimEnd().split('\n').slice(-15).join('\n'),
      };
    }
    renameSync(join(staging, 'rclone'), join(dir, 'rclone'));
    log(`Built rclone in ${Math.round((Date.now() - started) / 1000)} s: ${join(dir, 'rclone')}`);
    return { kind: 'binary', path: join(dir, 'rclone'), origin: 'built with go install' };
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
