// How the worker process is started: settings that must be in place before Node starts (V8 sizes its young
// generation when the heap is created, glibc its malloc arenas at the first thread), so they cannot come from
// the config. `npm run worker`, `npm start` and dev/worker-process.ts (tests, benchmarks, the demo) pass them
// on the command line; the Docker image sets them as environment variables (NODE_OPTIONS, MALLOC_ARENA_MAX)
// so that an operator can change them without a new image. test/unit/launch-settings.test.ts keeps these
// places in step. The trade-off (docs/memory-and-concurrency.md): about a quarter less peak memory for about
// a quarter more worker CPU per blob.

/** Semi-spaces of 1 MiB instead of V8's 16 or more: the young generation stops at 3 MiB instead of 48. */
export const WORKER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=1'];

/** Two malloc arenas instead of up to 8 per core: Temporal's core threads and zlib otherwise each grow one. */
export const WORKER_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2' };

const flagName = (flag: string) => flag.split('=')[0]!;

/**
 * The launch settings this process was started without, as `--flag=value` / `NAME=value` (empty: as
 * intended). A setting given another value counts as set: that is an operator's choice, not an omission.
 */
export function missingLaunchSettings(
  execArgv: readonly string[] = process.execArgv,
  env: NodeJS.ProcessEnv = process.env,
): string[] {
  const given = [...execArgv, ...(env.NODE_OPTIONS ?? '').split(/\s+/)].map(flagName);
  return [
    ...WORKER_NODE_FLAGS.filter((flag) => !given.includes(flagName(flag))),
    ...Object.entries(WORKER_ENV)
      .filter(([name]) => env[name] === undefined)
      .map(([name, value]) => `${name}=${value}`),
  ];
}
