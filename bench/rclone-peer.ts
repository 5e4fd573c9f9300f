// rclone as the blob benchmark's peer: `rclone copy` of a source container to a container in the backup account,
// configured only by environment from the stack's own connections (no config file: `--config ""`, and no
// RCLONE_* setting inherited from the shell), with azbackup's concurrency (64 copies and 64 checks in flight).
// rclone v1.75's azureblob backend copies across accounts server-side (a read SAS, Get Properties of the
// source, Copy Blob, Get Properties of the copy to compare MD5s): the same kind of work per blob as azbackup.
// `--checksum`: a rerun compares size and MD5 from the two listings, as azbackup's no-change pass decides from
// its listing. Without it, the first rerun after a copy writes metadata to every copy (Set Blob Metadata with
// rclone's mtime, since a server-side copy gets a new Last-Modified and SDK-written blobs carry no mtime), and
// only the reruns after that are listings alone.
// Its peak memory and CPU are sampled from /proc while it runs: the kernel forgets both once it is reaped.
import { readFileSync } from 'node:fs';
import { parseConnectionString } from '../src/config/connection-string';
import type { ConfigInput } from '../src/config/schema';
import { ManagedProcess } from '../dev/managed-process';
import { cpuSeconds, peakRssMiB } from './worker-process';

export interface RcloneCopyOptions {
  /** The rclone binary. */
  rclone: string;
  /** The stack's config: its `source` and `backup` connections become rclone's remotes of the same names. */
  config: ConfigInput;
  sourceContainer: string;
  targetContainer: string;
  /** Copies in flight (--transfers) and listing comparisons in flight (--checkers). */
  concurrency: number;
  /** rclone's JSON log; its last stats line is the run's summary. */
  logFile: string;
}

/** rclone's end-of-run stats (the fields the benchmark checks). */
export interface RcloneStats {
  transfers: number;
  serverSideCopies: number;
  checks: number;
  errors: number;
  listed: number;
  bytes: number;
}

export interface RcloneRun {
  seconds: number;
  peakRssMiB: number;
  cpuSeconds: number;
  stats: RcloneStats;
}

const SAMPLE_EVERY_MS = 50;

/** What makes the run comparable (the rest of rcloneCopy's arguments only shape its log). */
export function rcloneCopyFlags(concurrency: number): string[] {
  return ['--checksum', '--transfers', String(concurrency), '--checkers', String(concurrency)];
}

export async function rcloneCopy(options: RcloneCopyOptions): Promise<RcloneRun> {
  const args = ['copy', `source:${options.sourceContainer}`, `backup:${options.targetContainer}`, '--config', ''];
  args.push(...rcloneCopyFlags(options.concurrency));
  args.push('--use-json-log', '--log-level', 'NOTICE', '--stats', '1h', '--stats-log-level', 'NOTICE');
  args.push('--log-file', options.logFile);
  const started = performance.now();
  const proc = new ManagedProcess({
    name: 'rclone copy',
    command: options.rclone,
    args,
    logFile: `${options.logFile}.out`,
    env: rcloneEnv(options.config),
  });
  let peak = 0;
  let cpu = 0;
  const sample = () => {
    try {
      peak = Math.max(peak, peakRssMiB(proc.pid!));
      cpu = cpuSeconds(proc.pid!);
    } catch {
      // exited between two samples
    }
  };
  sample();
  const sampler = setInterval(sample, SAMPLE_EVERY_MS);
  try {
    await proc.waitForExit();
  } finally {
    clearInterval(sampler);
  }
  const seconds = (performance.now() - started) / 1000;
  if (proc.child.exitCode !== 0) {
    throw new Error(`${proc.describeExit()}\nLast lines of ${options.logFile}:\n${tail(options.logFile)}`);
  }
  return { seconds, peakRssMiB: peak, cpuSeconds: cpu, stats: lastStats(options.logFile) };
}

/** RCLONE_CONFIG_<NAME>_* for the stack's `source` and `backup` accounts; nothing else of rclone's inherited. */
export function rcloneEnv(config: ConfigInput): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('RCLONE_')),
  );
  for (const name of ['source', 'backup']) {
    const { account, key, endpoint } = sharedKeyAccount(config, name);
    const prefix = `RCLONE_CONFIG_${name.toUpperCase()}_`;
    env[`${prefix}TYPE`] = 'azureblob';
    env[`${prefix}ACCOUNT`] = account;
    env[`${prefix}KEY`] = key;
    env[`${prefix}ENDPOINT`] = endpoint;
  }
  return env;
}

function sharedKeyAccount(config: ConfigInput, name: string): { account: string; key: string; endpoint: string } {
  const connection = config.connections[name];
  if (connection?.kind !== 'blob' || connection.connectionString === undefined) {
    throw new Error(`the stack's config has no blob connection string for '${name}', which rclone needs`);
  }
  const parsed = parseConnectionString(connection.connectionString);
  if (!parsed.accountKey) throw new Error(`the '${name}' connection string has no AccountKey, which rclone needs`);
  return { account: parsed.accountName, key: parsed.accountKey, endpoint: parsed.blobEndpoint };
}

function lastStats(logFile: string): RcloneStats {
  const lines = readFileSync(logFile, 'utf8').trimEnd().split('\n').reverse();
  for (const line of lines) {
    if (!line.includes('"stats"')) continue;
    const stats = (JSON.parse(line) as { stats: RcloneStats }).stats;
    return {
      transfers: stats.transfers,
      serverSideCopies: stats.serverSideCopies,
      checks: stats.checks,
      errors: stats.errors,
      listed: stats.listed,
      bytes: stats.bytes,
    };
  }
  throw new Error(`rclone wrote no stats to ${logFile}:\n${tail(logFile)}`);
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-15).join('\n');
  } catch {
    return '(no log)';
  }
}
