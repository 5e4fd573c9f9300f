// `npm run bench -- blob`: blob backup against baselines measured in the same run, each on a fresh,
// identically seeded Azurite.
// Prints ratios (the targets are ratios, never absolute times): full backup vs a bare SDK loop, a no-change
// incremental pass vs a bare listing, history events per blob, and worker peak RSS at two sizes.
import { Client, Connection } from '@temporalio/client';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedBlobs } from '../dev/seed';
import { startStack } from '../dev/stack';
import { parseConfig } from '../src/config/load';
import { ConnectionRegistry } from '../src/storage/connections';
import { backupContainer, type BackupContainerResult } from '../src/workflows/backup-container';
import type { BlobAccount } from '../src/storage/blob-account';
import { bareBackup, bareListing } from './bare-baseline';
import { historyEvents } from './history';
import { cpuSeconds, peakRssMiB, startBenchWorker } from './worker-process';

export interface BlobBenchOptions {
  blobs: number;
  rssSmall: number;
  rssLarge: number;
}

const CONCURRENCY = { pages: 4, perPage: 16 }; // 64 copies in flight, the bare loop gets the same

interface BenchStack {
  client: Client;
  source: BlobAccount;
  backup: BlobAccount;
  configFile: string;
  logsDir: string;
}

/**
 * Each measurement gets a fresh stack (a fresh in-memory Azurite, identically seeded): Azurite slows
 * down, more than linearly, as it holds more blobs, so measurements sharing one instance compare
 * different services. In memory: on disk, its periodic save of the whole database stalls it.
 */
async function withFreshStack<T>(log: (m: string) => void, fn: (s: BenchStack) => Promise<T>): Promise<T> {
  const dataDir = mkdtempSync(join(tmpdir(), 'azbackup-bench-'));
  const stack = await startStack({ dataDir, ports: 'random', persistent: false, log });
  const config = parseConfig(stack.config);
  const connections = new ConnectionRegistry(config.connections);
  const connection = await Connection.connect({ address: config.temporal.address });
  try {
    return await fn({
      client: new Client({ connection, namespace: config.temporal.namespace }),
      source: connections.blob('source'),
      backup: connections.blob('backup'),
      configFile: stack.configFile,
      logsDir: join(dataDir, 'logs'),
    });
  } finally {
    await connection.close();
    connections.close();
    await stack.stop();
  }
}

export async function blobBench(options: BlobBenchOptions): Promise<void> {
  const log = (m: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${m}`);
  const timed = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
    const t0 = performance.now();
    const value = await fn();
    return [value, (performance.now() - t0) / 1000];
  };
  const seed = async (s: BenchStack, name: string, count: number) => {
    log(`seeding ${count} blobs of 1 KiB into ${name}...`);
    const [, seconds] = await timed(() =>
      seedBlobs(s.source.service.getContainerClient(name), { count, sizeInBytes: 1024, concurrency: 64 }),
    );
    log(`  seeded in ${seconds.toFixed(1)} s (${Math.round(count / seconds)} uploads/s)`);
  };
  const runBackup = (s: BenchStack, taskQueue: string, container: string, id: string) =>
    s.client.workflow.execute(backupContainer, {
      taskQueue,
      workflowId: id,
      args: [
        {
          source: 'source',
          backup: 'backup',
          container,
          backupContainer: `bk-${container}`,
          maxConcurrentPages: CONCURRENCY.pages,
          concurrency: CONCURRENCY.perPage,
        },
      ],
    });
  const inFlight = CONCURRENCY.pages * CONCURRENCY.perPage;

  const bareSeconds = await withFreshStack(log, async (s) => {
    await seed(s, 'bench-bare', options.blobs);
    log(`bare SDK loop (snapshot + copy + MD5 check, ${inFlight} at a time)...`);
    const [count, seconds] = await timed(() =>
      bareBackup(s.source, 'bench-bare', s.backup.service.getContainerClient('bk-bench-bare'), inFlight),
    );
    log(`  ${seconds.toFixed(1)} s for ${count} blobs`);
    return seconds;
  });

  const main = await withFreshStack(log, async (s) => {
    await seed(s, 'bench-main', options.blobs);
    const worker = await startBenchWorker(s.configFile, 'bench-main', s.logsDir);
    try {
      log('full backup through Temporal...');
      const cpuBefore = cpuSeconds(worker.pid!);
      const [full, fullSeconds] = await timed(() => runBackup(s, 'bench-main', 'bench-main', 'bench-full'));
      check(full, options.blobs);
      // On 2 cores the worker and Azurite share the machine: the worker's CPU is what it takes from Azurite.
      log(`  ${fullSeconds.toFixed(1)} s, worker CPU ${(cpuSeconds(worker.pid!) - cpuBefore).toFixed(1)} s`);
      log('no-change incremental pass (bare listing timed before and after, their mean the baseline)...');
      const [, listBefore] = await timed(() => bareListing(s.source, 'bench-main'));
      const [inc, incSeconds] = await timed(() => runBackup(s, 'bench-main', 'bench-main', 'bench-incremental'));
      if (inc.copied !== 0 || inc.unchanged !== options.blobs) throw new Error(`incremental pass copied ${inc.copied}`);
      const [, listAfter] = await timed(() => bareListing(s.source, 'bench-main'));
      log(
        `  incremental ${incSeconds.toFixed(1)} s, bare listing ${listBefore.toFixed(1)} / ${listAfter.toFixed(1)} s`,
      );
      const history = await historyEvents(s.client, 'bench-full');
      return { fullSeconds, incSeconds, listBefore, listAfter, history };
    } finally {
      await worker.stop();
    }
  });

  const rss: Record<number, number> = {};
  for (const size of [options.rssSmall, options.rssLarge]) {
    rss[size] = await withFreshStack(log, async (s) => {
      const name = `bench-rss-${size}`;
      await seed(s, name, size);
      const w = await startBenchWorker(s.configFile, name, s.logsDir);
      try {
        const [r, seconds] = await timed(() => runBackup(s, name, name, name));
        check(r, size);
        const peak = peakRssMiB(w.pid!);
        log(`  ${size} blobs backed up in ${seconds.toFixed(1)} s, worker peak RSS ${peak.toFixed(0)} MiB`);
        return peak;
      } finally {
        await w.stop();
      }
    });
  }

  const listSeconds = (main.listBefore + main.listAfter) / 2;
  const rows: [string, string, string, string][] = [
    [
      'full backup: bare loop time / workflow time',
      ratio(bareSeconds / main.fullSeconds),
      '>= 0.8',
      `${main.fullSeconds.toFixed(1)} s vs bare ${bareSeconds.toFixed(1)} s`,
    ],
    [
      'no-change pass: workflow time / bare listing',
      ratio(main.incSeconds / listSeconds),
      '<= 1.5',
      `${main.incSeconds.toFixed(1)} s vs listing ${main.listBefore.toFixed(1)} / ${main.listAfter.toFixed(1)} s`,
    ],
    [
      'history events per blob (full run, all runs and children)',
      (main.history.total / options.blobs).toFixed(4),
      '<= 0.05',
      `${main.history.total} events, largest history ${main.history.largest}`,
    ],
    [
      `worker peak RSS: ${options.rssLarge} / ${options.rssSmall} blobs`,
      ratio(rss[options.rssLarge]! / rss[options.rssSmall]!),
      'flat (~1.0)',
      `${rss[options.rssSmall]!.toFixed(0)} MiB vs ${rss[options.rssLarge]!.toFixed(0)} MiB`,
    ],
  ];
  console.log(`\nblob benchmark, ${options.blobs} blobs of 1 KiB, a fresh in-memory Azurite per measurement:`);
  for (const [what, value, target, detail] of rows)
    console.log(`  ${what.padEnd(58)} ${value.padStart(8)}  target ${target.padEnd(11)} ${detail}`);
}

function check(result: BackupContainerResult, expected: number): void {
  if (result.copied !== expected || result.failed !== 0 || !result.verified) {
    throw new Error(
      `backup copied ${result.copied} of ${expected}, failed ${result.failed}, verified ${result.verified}`,
    );
  }
}

function ratio(x: number): string {
  return `${x.toFixed(2)}x`;
}
