// `npm run bench -- blob`: blob backup against baselines measured in the same run on the same Azurite.
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
import {
  backupContainer,
  type BackupContainerInput,
  type BackupContainerResult,
} from '../src/workflows/backup-container';
import { bareBackup, bareListing } from './bare-baseline';
import { historyEvents } from './history';
import { peakRssMiB, startBenchWorker } from './worker-process';

export interface BlobBenchOptions {
  blobs: number;
  rssSmall: number;
  rssLarge: number;
}

const CONCURRENCY = { pages: 4, perPage: 16 }; // 64 copies in flight, the bare loop gets the same

export async function blobBench(options: BlobBenchOptions): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'azbackup-bench-'));
  const log = (m: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${m}`);
  // In memory: on disk, Azurite's periodic save of its whole database stalls it for seconds at a time.
  const stack = await startStack({ dataDir, ports: 'random', persistent: false, log });
  const config = parseConfig(stack.config);
  const connections = new ConnectionRegistry(config.connections);
  const connection = await Connection.connect({ address: config.temporal.address });
  const client = new Client({ connection, namespace: config.temporal.namespace });
  const source = connections.blob('source');
  const backup = connections.blob('backup');
  const timed = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
    const t0 = performance.now();
    const value = await fn();
    return [value, (performance.now() - t0) / 1000];
  };
  const runBackup = async (
    taskQueue: string,
    input: Partial<BackupContainerInput> & { container: string },
    id: string,
  ) =>
    client.workflow.execute(backupContainer, {
      taskQueue,
      workflowId: id,
      args: [
        {
          source: 'source',
          backup: 'backup',
          maxConcurrentPages: CONCURRENCY.pages,
          concurrency: CONCURRENCY.perPage,
          ...input,
        },
      ],
    });
  try {
    // Azurite slows down as it holds more blobs, so run order matters: the bare loop runs before and
    // after the workflow (A-B-A, each on its own identical container) and the baseline is their mean.
    const main = 'bench-main';
    const bare = ['bench-bare-a', 'bench-bare-b'];
    log(`seeding 3 x ${options.blobs} blobs of 1 KiB...`);
    const [, seedSeconds] = await timed(async () => {
      for (const name of [bare[0]!, main, bare[1]!]) {
        await seedBlobs(source.service.getContainerClient(name), {
          count: options.blobs,
          sizeInBytes: 1024,
          concurrency: 64,
        });
      }
    });
    log(`seeded in ${seedSeconds.toFixed(1)} s (${Math.round((3 * options.blobs) / seedSeconds)} uploads/s)`);
    const inFlight = CONCURRENCY.pages * CONCURRENCY.perPage;
    const runBare = async (name: string) => {
      log(`bare SDK loop on ${name} (snapshot + copy + MD5 check, ${inFlight} at a time)...`);
      const [count, seconds] = await timed(() =>
        bareBackup(source, name, backup.service.getContainerClient(`bk-${name}`), inFlight),
      );
      log(`  ${seconds.toFixed(1)} s for ${count} blobs`);
      return seconds;
    };
    const bareBefore = await runBare(bare[0]!);
    const worker = await startBenchWorker(stack.configFile, 'bench-main', join(dataDir, 'logs'));
    log('full backup through Temporal...');
    const [full, fullSeconds] = await timed(() =>
      runBackup('bench-main', { container: main, backupContainer: 'bk-main' }, 'bench-full'),
    );
    check(full, options.blobs);
    log(`  ${fullSeconds.toFixed(1)} s`);
    const bareAfter = await runBare(bare[1]!);
    const bareSeconds = (bareBefore + bareAfter) / 2;
    log('no-change incremental pass (listing timed before and after, their mean the baseline)...');
    const [, listBefore] = await timed(() => bareListing(source, main));
    const [inc, incSeconds] = await timed(() =>
      runBackup('bench-main', { container: main, backupContainer: 'bk-main' }, 'bench-incremental'),
    );
    if (inc.copied !== 0 || inc.unchanged !== options.blobs) throw new Error(`incremental pass copied ${inc.copied}`);
    const [, listAfter] = await timed(() => bareListing(source, main));
    const listSeconds = (listBefore + listAfter) / 2;
    log(`  incremental ${incSeconds.toFixed(1)} s, bare listing ${listBefore.toFixed(1)} / ${listAfter.toFixed(1)} s`);
    const history = await historyEvents(client, 'bench-full');
    await worker.stop();

    const rss: Record<number, number> = {};
    for (const size of [options.rssSmall, options.rssLarge]) {
      const name = `bench-rss-${size}`;
      log(`RSS run: seeding ${size} blobs...`);
      await seedBlobs(source.service.getContainerClient(name), { count: size, sizeInBytes: 1024, concurrency: 64 });
      const w = await startBenchWorker(stack.configFile, name, join(dataDir, 'logs'));
      const [r, seconds] = await timed(() =>
        runBackup(name, { container: name, backupContainer: `bk-${name}` }, `bench-rss-${size}`),
      );
      check(r, size);
      rss[size] = peakRssMiB(w.pid!);
      log(`  ${size} blobs in ${seconds.toFixed(1)} s, worker peak RSS ${rss[size]!.toFixed(0)} MiB`);
      await w.stop();
    }

    const rows: [string, string, string, string][] = [
      [
        'full backup: bare loop time / workflow time',
        ratio(bareSeconds / fullSeconds),
        '>= 0.8',
        `${fullSeconds.toFixed(1)} s vs bare ${bareBefore.toFixed(1)} / ${bareAfter.toFixed(1)} s`,
      ],
      [
        'no-change pass: workflow time / bare listing',
        ratio(incSeconds / listSeconds),
        '<= 1.5',
        `${incSeconds.toFixed(1)} s vs listing ${listBefore.toFixed(1)} / ${listAfter.toFixed(1)} s`,
      ],
      [
        'history events per blob (full run, all runs and children)',
        (history.total / options.blobs).toFixed(4),
        '<= 0.05',
        `${history.total} events, largest history ${history.largest}`,
      ],
      [
        `worker peak RSS: ${options.rssLarge} / ${options.rssSmall} blobs`,
        ratio(rss[options.rssLarge]! / rss[options.rssSmall]!),
        'flat (~1.0)',
        `${rss[options.rssSmall]!.toFixed(0)} MiB vs ${rss[options.rssLarge]!.toFixed(0)} MiB`,
      ],
    ];
    console.log(`\nblob benchmark, ${options.blobs} blobs of 1 KiB, one Azurite (in memory), 2 cores:`);
    for (const [what, value, target, detail] of rows)
      console.log(`  ${what.padEnd(58)} ${value.padStart(8)}  target ${target.padEnd(11)} ${detail}`);
  } finally {
    await connection.close();
    connections.close();
    await stack.stop();
  }
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
