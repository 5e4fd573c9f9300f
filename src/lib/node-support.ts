// Which Node.js lines azbackup supports, and the one warning every entry point gives at start on any other.
// Node 20 reached end of life in April 2026 and dependencies (Azurite 3.37, @azure/monitor-*) declare
// Node >= 22, so an older Node fails later in obscure ways; saying so first is cheaper for everyone.
// 22.13 is the highest minimum any installed dependency declares.

/** package.json `engines.node`; a unit test keeps the two equal. */
export const NODE_ENGINES = '^22.13.0 || ^24.0.0';
/** The Dockerfile's default NODE_VERSION build argument (22 builds too). */
export const DOCKER_NODE_VERSION = '24';
/** Set by the first check so child processes (workers, stack components) stay quiet. */
export const NODE_CHECKED_ENV = 'AZBACKUP_NODE_CHECKED';

const MIN_22 = [22, 13] as const;
/** Below this nothing is expected to work (syntax and APIs the code and its dependencies use). */
const FLOOR_MAJOR = 20;

const HOW_TO_GET_ONE =
  'Install Node.js 24 (or 22.13+): `nvm install 24`, `fnm install 24`, https://nodejs.org/en/download, or run ' +
  'the worker from the Docker image (docker compose, see docs/docker.md).';

export interface NodeSupport {
  /** ok: supported; warn: may work, unsupported; error: too old to run. */
  level: 'ok' | 'warn' | 'error';
  message?: string;
}

/** Classifies a version as process.version gives it (`v22.13.0`, `22.13.0`). */
export function nodeSupport(version: string): NodeSupport {
  const match = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!match) return { level: 'warn', message: `azbackup cannot tell which Node.js ${version} is. ${HOW_TO_GET_ONE}` };
  const [major, minor] = [Number(match[1]), Number(match[2])];
  const current = `Node.js v${match[1]}.${match[2]}.${match[3]}`;
  if (major === 24 || (major === 22 && minor >= MIN_22[1])) return { level: 'ok' };
  if (major < FLOOR_MAJOR) {
    return {
      level: 'error',
      message: `azbackup needs Node.js 22 (22.13 or later) or 24; this is ${current}, too old to run it. ${HOW_TO_GET_ONE}`,
    };
  }
  const why =
    major === 22
      ? 'older than 22.13, the minimum its dependencies declare'
      : major < 22
        ? 'past its end of life; dependencies such as Azurite 3.37 declare Node.js >= 22'
        : major % 2 === 1
          ? 'an odd-numbered (short-lived, never LTS) release'
          : 'newer than the lines azbackup is tested on';
  return {
    level: 'warn',
    message:
      `warning: azbackup supports Node.js 22 (22.13 or later) and 24; this is ${current}, ${why}. ` +
      `It may fail in unexpected ways. ${HOW_TO_GET_ONE}`,
  };
}

export interface CheckNodeOptions {
  version?: string;
  env?: NodeJS.ProcessEnv;
  write?: (line: string) => void;
  exit?: (code: number) => never;
}

/**
 * Prints the warning (or, below Node 20, the error and exits 1) once per process tree: it marks the
 * environment, which child processes inherit.
 */
export function checkNodeAtStart(options: CheckNodeOptions = {}): NodeSupport {
  const version = options.version ?? process.version;
  const env = options.env ?? process.env;
  const support = nodeSupport(version);
  if (env[NODE_CHECKED_ENV] === version && support.level !== 'error') return support;
  env[NODE_CHECKED_ENV] = version;
  if (support.message) (options.write ?? ((line) => process.stderr.write(`${line}\n`)))(support.message);
  if (support.level === 'error') (options.exit ?? ((code: number) => process.exit(code)))(1);
  return support;
}
