// `npm run bench -- scale`: how a blob backup's cost grows with the container. For each size (default
// 20,000 and 200,000 blobs of 1 KiB, a fresh in-memory stack each): a full backup, then 1 % of the blobs
// rewritten and an incremental pass. Reports throughput, worker CPU per blob, worker and Temporal server
// peak RSS, history events per blob, the largest history (events) and the largest payload (bytes).
import type { Client } from '@temporalio/client';
import { seedBlobs, seedContent } from '../dev/seed';
import { mapWithConcurrency } from '../src/lib/async-pool';
import { runBenchBackup, withFreshStack } from './blob';
import type { Ratio } from './results';
import { activitySeconds, forEachHistory } from './history';
import { cpuSeconds, peakRssMiB, resetPeakRss, startBenchWorker } from './worker-process';

export interface ScalePass {
  seconds: number;
  blobsPerSecond: number;
  copied: number;
  workerCpuMsPerBlob: number;
  workerPeakRssMiB: number;
  temporalPeakRssMiB: number;
  /** The run's last step (commitRun: the report merged, staging files deleted), from the parent's history. */
  commitSeconds: number;
  historyEvents: number;
  historyEventsPerBlob: number;
  largestHistory: number;
  largestPayloadBytes: number;
}

export interface ScaleSize {
  blobs: number;
  seedSeconds: number;
  full: ScalePass;
  changed: ScalePass;
}

export interface ScaleResult {
  options: { sizes: number[]; changedPercent: number; inFlight: number; blobSizeBytes: number };
  sizes: ScaleSize[];
  ratios: Ratio[];
}

const CONTAINER = 'bench-scale';

export async function scaleBench(options: {
  sizes: number[];
  log?: (m: string) => void;
  /** After each size: the results so far (a 200,000-blob size can run for an hour, or never finish here). */
  onSize?: (sofar: ScaleResult) => Promise<void>;
}): Promise<ScaleResult> {
  const log = options.log ?? ((m: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${m}`));
  const sizes: ScaleSize[] = [];
  for (const blobs of options.sizes) {
    sizes.push(
      await withFreshStack('memory', log, async (s) => {
        log(`seeding ${blobs} blobs of 1 KiB...`);
        const t0 = performance.now();
        const container = s.source.service.getContainerClient(CONTAINER);
        await seedBlobs(container, { count: blobs, sizeInBytes: 1024, concurrency: 64 });
        const seedSeconds = (performance.now() - t0) / 1000;
        const worker = await startBenchWorker(s.configFile, CONTAINER, s.logsDir);
        try {
          const measure = async (id: string, expected: number): Promise<ScalePass> => {
            const pid = worker.pid!;
            resetPeakRss(pid);
            resetPeakRss(s.temporalPid);
            const cpu = cpuSeconds(pid);
            const started = performance.now();
            const r = await runBenchBackup(s, CONTAINER, id);
            const seconds = (performance.now() - started) / 1000;
            if (r.copied !== expected || r.failed !== 0) throw new Error(`${id}: copied ${r.copied} of ${expected}`);
            const history = await histories(s.client, id);
            const pass: ScalePass = {
              seconds,
              blobsPerSecond: blobs / seconds,
              copied: r.copied,
              workerCpuMsPerBlob: ((cpuSeconds(pid) - cpu) * 1000) / blobs,
              workerPeakRssMiB: peakRssMiB(pid),
              temporalPeakRssMiB: peakRssMiB(s.temporalPid),
              commitSeconds: history.commitSeconds,
              historyEvents: history.total,
              historyEventsPerBlob: history.total / blobs,
              largestHistory: history.largest,
              largestPayloadBytes: history.largestPayload,
            };
            log(`  ${describe(pass)}`);
            return pass;
          };
          log(`full backup of ${blobs} blobs...`);
          const full = await measure(`scale-full-${blobs}`, blobs);
          const changedCount = Math.max(1, Math.round(blobs / 100));
          log(`rewriting ${changedCount} blobs (1 %), then an incremental pass...`);
          const every = Math.floor(blobs / changedCount);
          await mapWithConcurrency(
            Array.from({ length: changedCount }, (_, i) => `item-${String(i * every).padStart(6, '0')}.json`),
            64,
            (name) => container.getBlockBlobClient(name).uploadData(seedContent(`${name}-v2`, 1024)),
          );
          const changed = await measure(`scale-changed-${blobs}`, changedCount);
          return { blobs, seedSeconds, full, changed };
        } finally {
          await worker.stop();
        }
      }),
    );
    await options.onSize?.(resultOf(options.sizes, sizes));
  }
  return resultOf(options.sizes, sizes);
}

function resultOf(requested: number[], sizes: ScaleSize[]): ScaleResult {
  return {
    options: { sizes: requested, changedPercent: 1, inFlight: 64, blobSizeBytes: 1024 },
    sizes,
    ratios: ratiosOf(sizes),
  };
}

/** Events of the run and its children, the largest history, and the largest single payload in any of them. */
async function histories(
  client: Client,
  workflowId: string,
): Promise<{ total: number; largest: number; largestPayload: number; commitSeconds: number }> {
  let total = 0;
  let largest = 0;
  let largestPayload = 0;
  let commitSeconds = 0;
  await forEachHistory(client, workflowId, (execution, events) => {
    total += events.length;
    largest = Math.max(largest, events.length);
    for (const event of events) largestPayload = Math.max(largestPayload, largestDataIn(event));
    // commitRun's time, queueing included (Azurite deletes a blob in time growing with the account).
    if (execution.workflowId === workflowId) commitSeconds += activitySeconds(events, 'commitRun', 'scheduled');
  });
  return { total, largest, largestPayload, commitSeconds };
}

/** The largest `data` byte array anywhere in an event (payloads carry their bytes there). */
function largestDataIn(value: unknown): number {
  if (!value || typeof value !== 'object') return 0;
  if (value instanceof Uint8Array) return value.length;
  let most = 0;
  for (const v of Object.values(value)) most = Math.max(most, largestDataIn(v));
  return most;
}

function ratiosOf(sizes: ScaleSize[]): Ratio[] {
  const ratios: Ratio[] = [];
  for (const z of sizes) {
    ratios.push(
      {
        name: `${z.blobs}: full backup blobs/s`,
        value: z.full.blobsPerSecond,
        unit: 'blobs/s',
        detail: describe(z.full),
      },
      {
        name: `${z.blobs}: full backup blobs/s until the commit`,
        value: z.blobs / (z.full.seconds - z.full.commitSeconds),
        unit: 'blobs/s',
        detail: `commitRun took ${z.full.commitSeconds.toFixed(1)} s of ${z.full.seconds.toFixed(0)} s`,
      },
      {
        name: `${z.blobs}: 1 % changed, pass blobs/s (listed)`,
        value: z.changed.blobsPerSecond,
        unit: 'blobs/s',
        detail: describe(z.changed),
      },
      {
        name: `${z.blobs}: history events per blob (full)`,
        value: z.full.historyEventsPerBlob,
        unit: 'events/blob',
        target: '<= 0.05',
        detail: `${z.full.historyEvents} events, largest history ${z.full.largestHistory}, largest payload ${z.full.largestPayloadBytes} B`,
      },
    );
  }
  if (sizes.length >= 2) {
    const [small, large] = [sizes[0]!, sizes[sizes.length - 1]!];
    ratios.push(
      {
        name: `worker peak RSS, ${large.blobs} / ${small.blobs} blobs (full)`,
        value: large.full.workerPeakRssMiB / small.full.workerPeakRssMiB,
        target: '<= 1.2',
        detail: `${small.full.workerPeakRssMiB.toFixed(0)} vs ${large.full.workerPeakRssMiB.toFixed(0)} MiB`,
      },
      {
        name: `throughput, ${large.blobs} / ${small.blobs} blobs (full)`,
        value: large.full.blobsPerSecond / small.full.blobsPerSecond,
        detail: `${small.full.blobsPerSecond.toFixed(0)} vs ${large.full.blobsPerSecond.toFixed(0)} blobs/s`,
      },
      {
        name: `Temporal server peak RSS, ${large.blobs} / ${small.blobs} blobs (full)`,
        value: large.full.temporalPeakRssMiB / small.full.temporalPeakRssMiB,
        detail: `${small.full.temporalPeakRssMiB.toFixed(0)} vs ${large.full.temporalPeakRssMiB.toFixed(0)} MiB`,
      },
    );
  }
  return ratios;
}

function describe(p: ScalePass): string {
  return (
    `${p.seconds.toFixed(1)} s (${p.blobsPerSecond.toFixed(0)} blobs/s; commit ${p.commitSeconds.toFixed(1)} s), ` +
    `${p.copied} copied, worker ` +
    `${p.workerCpuMsPerBlob.toFixed(2)} ms CPU/blob, peak ${p.workerPeakRssMiB.toFixed(0)} MiB, Temporal peak ` +
    `${p.temporalPeakRssMiB.toFixed(0)} MiB, ${p.historyEvents} events (largest history ${p.largestHistory}, ` +
    `largest payload ${p.largestPayloadBytes} B)`
  );
}
