// `npm run bench -- blob`: blob backup against baselines and a peer measured in the same run, each measurement
// on a fresh, identically seeded stack.
// Prints ratios (the targets are ratios, never absolute times): full backup vs a bare SDK loop, a no-change
// incremental pass vs a bare listing, azbackup vs rclone (full copy, no-change rerun, peak RSS), history events
// per blob, and worker peak RSS at two sizes. Azurite in memory and on disk (`persistent: true`: Azurite's
// blobs and Temporal's SQLite file in the stack's data directory), azbackup and rclone alternating
// (rclone, azbackup, rclone, …) so that drift on a shared machine falls on both.
import { Client, Connection } from '@temporalio/client';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureRclone, rcloneVersion } from '../dev/rclone';
import { seedBlobs } from '../dev/seed';
import { startStack } from '../dev/stack';
import { parseConfig } from '../src/config/load';
import type { ConfigInput } from '../src/config/schema';
import { ConnectionRegistry } from '../src/storage/connections';
import { backupContainer, type BackupContainerResult } from '../src/workflows/backup-container';
import type { BlobAccount } from '../src/storage/blob-account';
import { bareBackup, bareListing } from './bare-baseline';
import { historyEvents } from './history';
import { rcloneCopy, rcloneCopyFlags, type RcloneRun, type RcloneStats } from './rclone-peer';
import { describeSpread, printRatios, spread, type Ratio, type Spread, type Versions } from './results';
import { cpuSeconds, peakRssMiB, resetPeakRss, rssMiB, startBenchWorker } from './worker-process';

export const STORAGE_KINDS = ['memory', 'disk'] as const;
export type StorageKind = (typeof STORAGE_KINDS)[number];
export const PEERS = ['rclone'] as const;
export type Peer = (typeof PEERS)[number];

export interface BlobBenchOptions {
  /** Blobs of 1 KiB per measurement. */
  blobs: number;
  /** Sizes of the worker-RSS measurement (in memory only); 0 skips that size. */
  rssSmall: number;
  rssLarge: number;
  /** Peers to measure beside azbackup; one that cannot be found or built is skipped with the reason. */
  peers: Peer[];
  storage: StorageKind[];
  /** Alternation per storage kind: the peer, then `rounds` × (azbackup, peer); without a peer, azbackup × rounds. */
  rounds: number;
  log?: (message: string) => void;
}

const CONCURRENCY = { pages: 4, perPage: 16 }; // 64 copies in flight; the bare loop and rclone get the same
const IN_FLIGHT = CONCURRENCY.pages * CONCURRENCY.perPage;

/** A backup of container `name` (also its task queue) into `bk-<name>`, 64 copies in flight. */
export function runBenchBackup(s: BenchStack, name: string, workflowId: string): Promise<BackupContainerResult> {
  return s.client.workflow.execute(backupContainer, {
    taskQueue: name,
    workflowId,
    args: [
      {
        source: 'source',
        backup: 'backup',
        container: name,
        backupContainer: `bk-${name}`,
        maxConcurrentPages: CONCURRENCY.pages,
        concurrency: CONCURRENCY.perPage,
      },
    ],
  });
}
const CONTAINER = 'bench-main';

/** One pass (full copy or no-change rerun) of one peer. */
export interface PassMeasurement {
  seconds: number;
  blobsPerSecond: number;
  /** Peak RSS of the copying process since it started (rclone: one process per pass; azbackup: the worker). */
  processPeakRssMiB: number;
  /** Peak RSS during this pass only (the worker's peak reset before it); rclone: the same as processPeakRssMiB. */
  passPeakRssMiB: number | undefined;
  cpuSeconds: number;
  /** Azurite's CPU in the pass: on 2 cores it shares them with the copying process. */
  azuriteCpuSeconds: number;
}

export interface PairMeasurement {
  peer: 'azbackup' | Peer;
  /** Position in the storage kind's alternation, from 1. */
  order: number;
  seedSeconds: number;
  full: PassMeasurement;
  noChange: PassMeasurement;
  /** Bare listing of the source just before and just after the no-change pass (its baseline). */
  listingSeconds: [number, number];
  azuritePeakRssMiB: number;
  /** azbackup: the worker's RSS once it polls, before any work. */
  idleRssMiB?: number;
  /** azbackup: history events of the full run (all runs and children). */
  history?: { total: number; largest: number };
  /** rclone: its end-of-run stats for each pass. */
  rcloneStats?: { full: RcloneStats; noChange: RcloneStats };
}

export interface PeerSummary {
  fullSeconds: Spread;
  fullBlobsPerSecond: Spread;
  fullPeakRssMiB: Spread;
  noChangeSeconds: Spread;
  noChangePeakRssMiB: Spread | undefined;
  /** Mean of the listings before and after each no-change pass. */
  listingSeconds: Spread;
}

export interface StorageResult {
  storage: StorageKind;
  bare: { seconds: number; blobs: number };
  sequence: string[];
  measurements: PairMeasurement[];
  summary: Record<string, PeerSummary>;
  ratios: Ratio[];
}

export interface BlobBenchResult {
  options: Omit<BlobBenchOptions, 'log'> & { inFlight: number; blobSizeBytes: number };
  peers: Record<Peer, NonNullable<Versions['rclone']>>;
  storage: StorageResult[];
  rss: { small: number; large: number; smallPeakMiB: number; largePeakMiB: number } | { skipped: string };
  ratios: Ratio[];
}

export interface BenchStack {
  client: Client;
  config: ConfigInput;
  source: BlobAccount;
  backup: BlobAccount;
  configFile: string;
  logsDir: string;
  azuritePid: number;
  temporalPid: number;
}

/**
 * Each measurement gets a fresh stack (a fresh Azurite, identically seeded): Azurite slows down, more than
 * linearly, as it holds more blobs, so measurements sharing one instance compare different services.
 * On disk, the stack's data (Azurite's blobs and database, Temporal's SQLite file) is removed afterwards;
 * the logs stay.
 */
export async function withFreshStack<T>(
  storage: StorageKind,
  log: (m: string) => void,
  fn: (s: BenchStack) => Promise<T>,
): Promise<T> {
  const dataDir = mkdtempSync(join(tmpdir(), `azbackup-bench-${storage}-`));
  const stack = await startStack({ dataDir, ports: 'random', persistent: storage === 'disk', log });
  const config = parseConfig(stack.config);
  const connections = new ConnectionRegistry(config.connections);
  const connection = await Connection.connect({ address: config.temporal.address });
  try {
    const azurite = stack.processes().find((p) => p.options.name === 'Azurite');
    return await fn({
      client: new Client({ connection, namespace: config.temporal.namespace }),
      config: stack.config,
      source: connections.blob('source'),
      backup: connections.blob('backup'),
      configFile: stack.configFile,
      logsDir: join(dataDir, 'logs'),
      azuritePid: azurite!.pid!,
      temporalPid: stack.processes().find((p) => p.options.name === 'Temporal dev server')!.pid!,
    });
  } finally {
    await connection.close();
    connections.close();
    await stack.stop();
    if (storage === 'disk') {
      for (const data of ['azurite', 'temporal.db', 'temporal.db-wal', 'temporal.db-shm']) {
        rmSync(join(dataDir, data), { recursive: true, force: true });
      }
    }
  }
}

export async function blobBench(options: BlobBenchOptions): Promise<BlobBenchResult> {
  const log = options.log ?? ((m: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${m}`));
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
    return seconds;
  };
  // A no-change pass between two bare listings of the same source, on the same Azurite.
  const listedAround = async (s: BenchStack, pass: () => Promise<PassMeasurement>) => {
    const [, before] = await timed(() => bareListing(s.source, CONTAINER));
    const measured = await pass();
    const [, after] = await timed(() => bareListing(s.source, CONTAINER));
    return { measured, listingSeconds: [before, after] as [number, number] };
  };

  const peers = {} as BlobBenchResult['peers'];
  let rclone: string | undefined;
  if (options.peers.includes('rclone')) {
    const found = await ensureRclone({ log });
    if (found.kind === 'binary') {
      rclone = found.path;
      peers.rclone = {
        version: await rcloneVersion(found.path),
        path: found.path,
        origin: found.origin,
        flags: rcloneCopyFlags(IN_FLIGHT).join(' '),
      };
      log(`rclone: ${peers.rclone.version ?? 'version unknown'} (${found.origin}: ${found.path})`);
    } else {
      peers.rclone = { skipped: found.reason };
      log(`rclone skipped: ${found.reason}`);
    }
  } else {
    peers.rclone = { skipped: 'not requested (--peers)' };
  }
  const measuredPeers: Peer[] = rclone ? ['rclone'] : [];

  const azbackupPair = (storage: StorageKind, order: number) =>
    withFreshStack(storage, log, async (s): Promise<PairMeasurement> => {
      const seedSeconds = await seed(s, CONTAINER, options.blobs);
      const worker = await startBenchWorker(s.configFile, CONTAINER, s.logsDir);
      try {
        const pid = worker.pid!;
        const idleRssMiB = rssMiB(pid);
        const startupPeak = peakRssMiB(pid);
        log(`azbackup full backup through Temporal (worker idle at ${idleRssMiB.toFixed(0)} MiB)...`);
        const full = await pass(pid, s.azuritePid, startupPeak, () => runBenchBackup(s, CONTAINER, 'bench-full'));
        check(full.value, options.blobs);
        log(`  ${describePass(full.pass)}`);
        log('azbackup no-change incremental pass, between two bare listings...');
        const { measured: noChange, listingSeconds } = await listedAround(s, async () => {
          const inc = await pass(pid, s.azuritePid, full.pass.processPeakRssMiB, () =>
            runBenchBackup(s, CONTAINER, 'bench-incremental'),
          );
          if (inc.value.copied !== 0 || inc.value.unchanged !== options.blobs) {
            throw new Error(`the no-change pass copied ${inc.value.copied}, found ${inc.value.unchanged} unchanged`);
          }
          return inc.pass;
        });
        log(`  ${describePass(noChange)}; bare listing ${listingSeconds.map((x) => x.toFixed(1)).join(' / ')} s`);
        const history = await historyEvents(s.client, 'bench-full');
        return {
          peer: 'azbackup',
          order,
          seedSeconds,
          full: full.pass,
          noChange,
          listingSeconds,
          azuritePeakRssMiB: peakRssMiB(s.azuritePid),
          idleRssMiB,
          history,
        };
      } finally {
        await worker.stop();
      }
    });

  const rclonePair = (storage: StorageKind, order: number, binary: string) =>
    withFreshStack(storage, log, async (s): Promise<PairMeasurement> => {
      const seedSeconds = await seed(s, CONTAINER, options.blobs);
      const copy = async (name: string): Promise<[PassMeasurement, RcloneRun]> => {
        const azuriteCpu = cpuSeconds(s.azuritePid);
        const run = await rcloneCopy({
          rclone: binary,
          config: s.config,
          sourceContainer: CONTAINER,
          targetContainer: `bk-${CONTAINER}`,
          concurrency: IN_FLIGHT,
          logFile: join(s.logsDir, `rclone-${name}.log`),
        });
        const measured: PassMeasurement = {
          seconds: run.seconds,
          blobsPerSecond: options.blobs / run.seconds,
          processPeakRssMiB: run.peakRssMiB,
          passPeakRssMiB: run.peakRssMiB,
          cpuSeconds: run.cpuSeconds,
          azuriteCpuSeconds: cpuSeconds(s.azuritePid) - azuriteCpu,
        };
        return [measured, run];
      };
      log(`rclone copy ${rcloneCopyFlags(IN_FLIGHT).join(' ')}...`);
      const [full, fullRun] = await copy('full');
      const copied = fullRun.stats.transfers;
      const inTarget = await bareListing(s.backup, `bk-${CONTAINER}`);
      if (fullRun.stats.errors !== 0 || copied !== options.blobs || inTarget !== options.blobs) {
        throw new Error(
          `rclone copied ${copied} of ${options.blobs} (${fullRun.stats.errors} errors); the target holds ${inTarget}`,
        );
      }
      log(`  ${describePass(full)}; ${fullRun.stats.serverSideCopies} of them server-side copies`);
      log('rclone no-change rerun, between two bare listings...');
      let rerun: RcloneRun | undefined;
      const { measured: noChange, listingSeconds } = await listedAround(s, async () => {
        const [measured, run] = await copy('rerun');
        rerun = run;
        return measured;
      });
      if (rerun!.stats.transfers !== 0 || rerun!.stats.checks !== options.blobs || rerun!.stats.errors !== 0) {
        throw new Error(`rclone's rerun copied ${rerun!.stats.transfers} and checked ${rerun!.stats.checks}`);
      }
      log(`  ${describePass(noChange)}; bare listing ${listingSeconds.map((x) => x.toFixed(1)).join(' / ')} s`);
      return {
        peer: 'rclone',
        order,
        seedSeconds,
        full,
        noChange,
        listingSeconds,
        azuritePeakRssMiB: peakRssMiB(s.azuritePid),
        rcloneStats: { full: fullRun.stats, noChange: rerun!.stats },
      };
    });

  const storageResults: StorageResult[] = [];
  for (const storage of options.storage) {
    log(`=== Azurite ${storage === 'memory' ? 'in memory' : 'on disk'} ===`);
    const bare = await withFreshStack(storage, log, async (s) => {
      await seed(s, 'bench-bare', options.blobs);
      log(`bare SDK loop (snapshot + copy + MD5 check, ${IN_FLIGHT} at a time)...`);
      const [blobs, seconds] = await timed(() =>
        bareBackup(s.source, 'bench-bare', s.backup.service.getContainerClient('bk-bench-bare'), IN_FLIGHT),
      );
      log(`  ${seconds.toFixed(1)} s for ${blobs} blobs (${Math.round(blobs / seconds)} blobs/s)`);
      return { seconds, blobs };
    });
    const sequence = alternation(measuredPeers, options.rounds);
    log(`alternation: ${sequence.join(', ')}`);
    const measurements: PairMeasurement[] = [];
    for (const [i, peer] of sequence.entries()) {
      log(`--- ${i + 1}/${sequence.length}: ${peer}, Azurite ${storage} ---`);
      measurements.push(
        peer === 'azbackup' ? await azbackupPair(storage, i + 1) : await rclonePair(storage, i + 1, rclone!),
      );
    }
    const summary: Record<string, PeerSummary> = {};
    for (const peer of new Set(sequence)) summary[peer] = summarize(measurements.filter((m) => m.peer === peer));
    storageResults.push({
      storage,
      bare,
      sequence,
      measurements,
      summary,
      ratios: storageRatios(storage, options.blobs, bare, summary, measurements),
    });
  }

  let rss: BlobBenchResult['rss'];
  if (options.rssSmall > 0 && options.rssLarge > 0) {
    const peaks: number[] = [];
    for (const size of [options.rssSmall, options.rssLarge]) {
      peaks.push(
        await withFreshStack('memory', log, async (s) => {
          const name = `bench-rss-${size}`;
          await seed(s, name, size);
          const w = await startBenchWorker(s.configFile, name, s.logsDir);
          try {
            const [r, seconds] = await timed(() => runBenchBackup(s, name, name));
            check(r, size);
            const peak = peakRssMiB(w.pid!);
            log(`  ${size} blobs backed up in ${seconds.toFixed(1)} s, worker peak RSS ${peak.toFixed(0)} MiB`);
            return peak;
          } finally {
            await w.stop();
          }
        }),
      );
    }
    rss = { small: options.rssSmall, large: options.rssLarge, smallPeakMiB: peaks[0]!, largePeakMiB: peaks[1]! };
  } else {
    rss = { skipped: '--rss-small or --rss-large is 0' };
  }

  const ratios = storageResults.flatMap((r) => r.ratios);
  if ('large' in rss) {
    ratios.push({
      name: `worker peak RSS: ${rss.large} / ${rss.small} blobs (in memory)`,
      value: rss.largePeakMiB / rss.smallPeakMiB,
      target: 'flat (~1.0)',
      detail: `${rss.smallPeakMiB.toFixed(0)} MiB vs ${rss.largePeakMiB.toFixed(0)} MiB`,
    });
  }
  const result: BlobBenchResult = {
    options: {
      blobs: options.blobs,
      rssSmall: options.rssSmall,
      rssLarge: options.rssLarge,
      peers: options.peers,
      storage: options.storage,
      rounds: options.rounds,
      inFlight: IN_FLIGHT,
      blobSizeBytes: 1024,
    },
    peers,
    storage: storageResults,
    rss,
    ratios,
  };
  printBlobResult(result);
  return result;
}

/** rclone, azbackup, rclone, … (A-B-A at rounds = 1): each peer measured before and after azbackup. */
export function alternation(peers: Peer[], rounds: number): string[] {
  if (peers.length === 0) return Array.from({ length: rounds }, () => 'azbackup');
  const sequence: string[] = [...peers];
  for (let i = 0; i < rounds; i++) sequence.push('azbackup', ...peers);
  return sequence;
}

/** Runs one azbackup pass and reads the worker's and Azurite's cost of it. */
async function pass(
  workerPid: number,
  azuritePid: number,
  peakSoFar: number,
  fn: () => Promise<BackupContainerResult>,
): Promise<{ value: BackupContainerResult; pass: PassMeasurement }> {
  const reset = resetPeakRss(workerPid);
  const cpu = cpuSeconds(workerPid);
  const azuriteCpu = cpuSeconds(azuritePid);
  const t0 = performance.now();
  const value = await fn();
  const seconds = (performance.now() - t0) / 1000;
  const peak = peakRssMiB(workerPid);
  return {
    value,
    pass: {
      seconds,
      blobsPerSecond: (value.copied + value.unchanged) / seconds,
      processPeakRssMiB: Math.max(peakSoFar, peak),
      passPeakRssMiB: reset ? peak : undefined,
      cpuSeconds: cpuSeconds(workerPid) - cpu,
      azuriteCpuSeconds: cpuSeconds(azuritePid) - azuriteCpu,
    },
  };
}

function summarize(ms: PairMeasurement[]): PeerSummary {
  const passPeaks = ms.map((m) => m.noChange.passPeakRssMiB);
  return {
    fullSeconds: spread(ms.map((m) => m.full.seconds)),
    fullBlobsPerSecond: spread(ms.map((m) => m.full.blobsPerSecond)),
    fullPeakRssMiB: spread(ms.map((m) => m.full.processPeakRssMiB)),
    noChangeSeconds: spread(ms.map((m) => m.noChange.seconds)),
    noChangePeakRssMiB: passPeaks.every((p) => p !== undefined) ? spread(passPeaks as number[]) : undefined,
    listingSeconds: spread(ms.map((m) => (m.listingSeconds[0] + m.listingSeconds[1]) / 2)),
  };
}

function storageRatios(
  storage: StorageKind,
  blobs: number,
  bare: { seconds: number },
  summary: Record<string, PeerSummary>,
  measurements: PairMeasurement[],
): Ratio[] {
  const where = storage === 'memory' ? 'in memory' : 'on disk';
  const az = summary.azbackup!;
  const ratios: Ratio[] = [
    {
      name: `${where}: full backup, bare loop time / workflow time`,
      value: bare.seconds / az.fullSeconds.median,
      target: '>= 0.9',
      detail: `${describeSpread(az.fullSeconds, 's')} vs bare ${bare.seconds.toFixed(1)} s`,
    },
    {
      name: `${where}: no-change pass, workflow time / bare listing`,
      value: az.noChangeSeconds.median / az.listingSeconds.median,
      target: '<= 1.5',
      detail: `${describeSpread(az.noChangeSeconds, 's')} vs listing ${describeSpread(az.listingSeconds, 's', 2)}`,
    },
  ];
  const rc = summary.rclone;
  if (rc) {
    ratios.push(
      {
        name: `${where}: full copy blobs/s, azbackup / rclone`,
        value: az.fullBlobsPerSecond.median / rc.fullBlobsPerSecond.median,
        target: '>= 1.0',
        detail:
          `azbackup ${describeSpread(az.fullBlobsPerSecond, 'blobs/s', 0)} vs ` +
          `rclone ${describeSpread(rc.fullBlobsPerSecond, 'blobs/s', 0)}`,
      },
      {
        name: `${where}: no-change pass time, azbackup / rclone rerun`,
        value: az.noChangeSeconds.median / rc.noChangeSeconds.median,
        target: '<= 1.0',
        detail: `${describeSpread(az.noChangeSeconds, 's')} vs ${describeSpread(rc.noChangeSeconds, 's')}`,
      },
      {
        name: `${where}: rclone rerun time / bare listing`,
        value: rc.noChangeSeconds.median / rc.listingSeconds.median,
        detail: `${describeSpread(rc.noChangeSeconds, 's')} vs listing ${describeSpread(rc.listingSeconds, 's', 2)}`,
      },
      {
        name: `${where}: peak RSS in the full pass, azbackup worker / rclone`,
        value: az.fullPeakRssMiB.median / rc.fullPeakRssMiB.median,
        detail: `${describeSpread(az.fullPeakRssMiB, 'MiB', 0)} vs ${describeSpread(rc.fullPeakRssMiB, 'MiB', 0)}`,
      },
    );
  }
  const histories = measurements.flatMap((m) => (m.history ? [m.history] : []));
  if (histories.length > 0) {
    const h = histories[0]!;
    ratios.push({
      name: `${where}: history events per blob (full run, all runs and children)`,
      value: h.total / blobs,
      unit: 'events/blob',
      target: '<= 0.05',
      detail: `${h.total} events, largest history ${h.largest}`,
    });
  }
  return ratios;
}

function printBlobResult(result: BlobBenchResult): void {
  const o = result.options;
  console.log(
    `\nblob benchmark, ${o.blobs} blobs of 1 KiB, ${o.inFlight} in flight, a fresh identically seeded stack ` +
      'per measurement:',
  );
  for (const [peer, state] of Object.entries(result.peers)) {
    console.log(
      `  ${peer}: ${'skipped' in state ? `skipped: ${state.skipped}` : `${state.version} ${state.flags} (${state.path})`}`,
    );
  }
  for (const r of result.storage) {
    console.log(`\nAzurite ${r.storage === 'memory' ? 'in memory' : 'on disk'}, order ${r.sequence.join(', ')}:`);
    console.log(
      '   #  peer       full s  blobs/s  peak RSS MiB  CPU s (Azurite)  | no-change s  peak RSS MiB  listing s',
    );
    for (const m of r.measurements) {
      console.log(
        `  ${String(m.order).padStart(2)}  ${m.peer.padEnd(9)} ${m.full.seconds.toFixed(1).padStart(7)} ` +
          `${m.full.blobsPerSecond.toFixed(0).padStart(8)} ${m.full.processPeakRssMiB.toFixed(0).padStart(13)} ` +
          `${`${m.full.cpuSeconds.toFixed(1)} (${m.full.azuriteCpuSeconds.toFixed(1)})`.padStart(16)}  | ` +
          `${m.noChange.seconds.toFixed(2).padStart(11)} ${(m.noChange.passPeakRssMiB?.toFixed(0) ?? '?').padStart(13)}` +
          `  ${m.listingSeconds.map((x) => x.toFixed(2)).join(' / ')}`,
      );
    }
    console.log(
      `   bare SDK loop: ${r.bare.seconds.toFixed(1)} s (${(r.bare.blobs / r.bare.seconds).toFixed(0)} blobs/s)`,
    );
  }
  console.log('\nratios (from medians):');
  printRatios(result.ratios);
  const workers = result.storage.map((r) => {
    const az = r.measurements.filter((m) => m.peer === 'azbackup');
    const mib = (xs: (number | undefined)[]) => xs.map((x) => (x === undefined ? '?' : x.toFixed(0))).join(', ');
    return `${r.storage}: idle ${mib(az.map((m) => m.idleRssMiB))}, full pass alone ${mib(az.map((m) => m.full.passPeakRssMiB))}`;
  });
  console.log(
    `  azbackup worker RSS in MiB (its peak also counts start-up, which bundles the workflows): ${workers.join('; ')}`,
  );
}

function describePass(p: PassMeasurement): string {
  return (
    `${p.seconds.toFixed(1)} s (${p.blobsPerSecond.toFixed(0)} blobs/s), peak RSS ${p.processPeakRssMiB.toFixed(0)} ` +
    `MiB, CPU ${p.cpuSeconds.toFixed(1)} s, Azurite CPU ${p.azuriteCpuSeconds.toFixed(1)} s`
  );
}

function check(result: BackupContainerResult, expected: number): void {
  if (result.copied !== expected || result.failed !== 0 || !result.verified) {
    throw new Error(
      `backup copied ${result.copied} of ${expected}, failed ${result.failed}, verified ${result.verified}`,
    );
  }
}
