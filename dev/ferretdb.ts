// The dev stack's MongoDB wire-protocol server: FerretDB v1.24.0 with its SQLite backend, built from our own
// Go module in dev/ferretdb (the upstream `go install …/cmd/ferretdb` cannot work from the Go module proxy).
// Finding it: $AZBACKUP_FERRETDB, then our cache; with Go present, build it once into the cache. The cached
// binary carries a stamp of the module's sources, so editing dev/ferretdb rebuilds it instead of running a
// stale one. It stands in for Cosmos DB for MongoDB's wire protocol, not for RU throttling or request caps.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  accessSync,
  constants,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { ManagedProcess } from './managed-process';
import { waitForPort } from './wait';

export const FERRETDB_VERSION = 'v1.24.0';
/** The Go module that embeds FerretDB (go.mod, go.sum, main.go). */
export const FERRETDB_MODULE_DIR = join(__dirname, 'ferretdb');
const MODULE_SOURCES = ['go.mod', 'go.sum', 'main.go'];
const STAMP = 'ferretdb.sources-sha256';

export interface EnsureFerretDbOptions {
  env?: NodeJS.ProcessEnv;
  log?: (message: string) => void;
}

export interface FerretDbBinary {
  path: string;
  origin: 'AZBACKUP_FERRETDB' | 'cache' | 'built with go build';
}

export function ferretDbCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.AZBACKUP_CACHE_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'azbackup');
  return join(base, `ferretdb-${FERRETDB_VERSION}`);
}

export function ferretDbConnectionString(port: number): string {
  return `mongodb://127.0.0.1:${port}/`;
}

// One build per cache directory and process, however many callers ask at once.
const building = new Map<string, Promise<FerretDbBinary>>();

export async function ensureFerretDb(options: EnsureFerretDbOptions = {}): Promise<FerretDbBinary> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => {});
  if (env.AZBACKUP_FERRETDB) {
    if (!isExecutable(env.AZBACKUP_FERRETDB)) {
      throw new Error(`AZBACKUP_FERRETDB is set to ${env.AZBACKUP_FERRETDB}, but no executable file is there.`);
    }
    return { path: env.AZBACKUP_FERRETDB, origin: 'AZBACKUP_FERRETDB' };
  }
  const dir = ferretDbCacheDir(env);
  const cached = join(dir, 'ferretdb');
  const sources = sourcesDigest();
  if (isExecutable(cached) && readStamp(dir) === sources) return { path: cached, origin: 'cache' };
  const pending = building.get(dir);
  if (pending) return pending;
  const build = (async (): Promise<FerretDbBinary> => {
    const go = findOnPath('go', env.PATH ?? '');
    if (!go) {
      throw new Error(
        `FerretDB (the dev stack's MongoDB server) is not built yet (looked for AZBACKUP_FERRETDB and ${cached}) ` +
          'and there is no Go toolchain on PATH to build it. Install Go >= 1.22 (https://go.dev/dl/; Debian ' +
          "12's golang-go is 1.19, too old) with access to the Go module proxy, or build dev/ferretdb yourself " +
          '(`go build -o /path/to/ferretdb .` there) and set AZBACKUP_FERRETDB=/path/to/ferretdb.',
      );
    }
    const stale = isExecutable(cached);
    await buildWithGo(go, dir, sources, env, log, stale);
    return { path: cached, origin: 'built with go build' };
  })();
  building.set(dir, build);
  try {
    return await build;
  } finally {
    building.delete(dir);
  }
}

async function buildWithGo(
  go: string,
  dir: string,
  sources: string,
  env: NodeJS.ProcessEnv,
  log: (m: string) => void,
  stale: boolean,
): Promise<void> {
  mkdirSync(dir, { recursive: true });
  // Build into a private directory and rename, so a concurrent start never sees half a binary.
  const staging = mkdtempSync(join(dir, '.build-'));
  log(
    `Building FerretDB ${FERRETDB_VERSION} (the MongoDB wire server) with 'go build' in ${FERRETDB_MODULE_DIR} ` +
      `into ${dir}${stale ? ' (its sources changed since the cached build)' : ''}. This happens once per ` +
      'machine and takes about 2 minutes on 2 cores.',
  );
  const started = Date.now();
  const ticker = setInterval(
    () => log(`  still building FerretDB (${Math.round((Date.now() - started) / 1000)} s)...`),
    30_000,
  );
  try {
    const output = await run(
      go,
      ['build', '-trimpath', '-buildvcs=false', '-o', join(staging, 'ferretdb'), '.'],
      FERRETDB_MODULE_DIR,
      {
        ...env,
        // Never try to fetch another Go toolchain: with no internet that fails slowly and obscurely.
        GOTOOLCHAIN: 'local',
        // A go.work above the repository must not pull this module into someone else's workspace.
        GOWORK: 'off',
      },
    );
    if (output.code !== 0) {
      throw new Error(
        `Building FerretDB failed (go build exited with ${output.code}). It needs Go >= 1.22 and access to the ` +
          'Go module proxy. Alternatively build dev/ferretdb elsewhere and set AZBACKUP_FERRETDB=/path/to/ferretdb.\n' +
          `Last output of go build:\n${output.text.trimEnd().split('\n').slice(-15).join('\n')}`,
      );
    }
    writeFileSync(join(staging, STAMP), sources);
    renameSync(join(staging, 'ferretdb'), join(dir, 'ferretdb'));
    renameSync(join(staging, STAMP), join(dir, STAMP));
    log(`Built FerretDB in ${Math.round((Date.now() - started) / 1000)} s: ${join(dir, 'ferretdb')}`);
  } finally {
    clearInterval(ticker);
    rmSync(staging, { recursive: true, force: true });
  }
}

export interface StartFerretDbOptions {
  port: number;
  /** Directory for FerretDB's SQLite files (one per database); created if missing. */
  dataDir: string;
  /** Where ferretdb.log goes; dataDir when absent. */
  logDir?: string;
  env?: NodeJS.ProcessEnv;
  log?: (message: string) => void;
}

/** Finds or builds the binary, starts it on 127.0.0.1:port and resolves once the port accepts connections. */
export async function startFerretDb(options: StartFerretDbOptions): Promise<ManagedProcess> {
  const env = options.env ?? process.env;
  const binary = await ensureFerretDb({ env, log: options.log });
  mkdirSync(options.dataDir, { recursive: true });
  const logDir = options.logDir ?? options.dataDir;
  mkdirSync(logDir, { recursive: true });
  const proc = new ManagedProcess({
    name: 'FerretDB (MongoDB wire server)',
    command: binary.path,
    args: ['-listen', `127.0.0.1:${options.port}`, '-dir', options.dataDir],
    logFile: join(logDir, 'ferretdb.log'),
    env,
  });
  await waitForPort(proc, options.port);
  return proc;
}

/** SHA-256 of the Go module's sources, so a cached binary built from other sources is rebuilt. */
function sourcesDigest(): string {
  const hash = createHash('sha256').update(FERRETDB_VERSION);
  for (const file of MODULE_SOURCES) hash.update(`\0${file}\0`).update(readFileSync(join(FERRETDB_MODULE_DIR, file)));
  return hash.digest('hex');
}

function readStamp(dir: string): string | undefined {
  try {
    return readFileSync(join(dir, STAMP), 'utf8').trim();
  } catch {
    return undefined;
  }
}

function run(
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; text: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
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
