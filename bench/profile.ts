// `npm run bench -- profile`: where the worker's cost per blob goes. One fresh in-memory stack, a full
// backup then a no-change pass, with the worker counting every storage request it sends (by connection and
// kind, every attempt), its CPU time and its peak RSS per pass; `--cpu-prof` also writes a V8 profile of
// the worker's main thread (open it in Chrome's DevTools) beside the stack's logs.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { seedBlobs } from '../dev/seed';
import { startWorkerProcess } from '../dev/worker-process';
import type { BackupContainerResult } from '../src/workflows/backup-container';
import { runBenchBackup, withFreshStack } from './blob';
import { historyEvents } from './history';
import type { Ratio } from './results';
import { cpuSeconds, peakRssMiB, resetPeakRss, rssMiB } from './worker-process';

export interface ProfileOptions {
  blobs: number;
  cpuProf: boolean;
  log?: (message: string) => void;
}

export interface ProfilePass {
  seconds: number;
  blobsPerSecond: number;
  requests: number;
  requestsPerBlob: number;
  /** Requests per blob by `connection: kind`. */
  byKind: Record<string, number>;
  workerCpuMsPerBlob: number;
  workerPeakRssMiB: number;
}

export interface ProfileResult {
  options: { blobs: number; cpuProf: boolean; inFlight: number; blobSizeBytes: number };
  idleRssMiB: number;
  full: ProfilePass;
  noChange: ProfilePass;
  history: { total: number; largest: number };
  cpuProfileDir?: string;
  ratios: Ratio[];
}

const QUEUE = 'bench-profile';

export async function profileBench(options: ProfileOptions): Promise<ProfileResult> {
  const log = options.log ?? ((m: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${m}`));
  return withFreshStack('memory', log, async (s) => {
    log(`seeding ${options.blobs} blobs of 1 KiB...`);
    await seedBlobs(s.source.service.getContainerClient(QUEUE), {
      count: options.blobs,
      sizeInBytes: 1024,
      concurrency: 64,
    });
    const countsFile = join(s.logsDir, 'request-counts.json');
    const profileDir = join(s.logsDir, 'cpu-profile');
    const worker = await startWorkerProcess({
      configFile: s.configFile,
      taskQueue: QUEUE,
      logFile: join(s.logsDir, `${QUEUE}.log`),
      name: 'counting worker',
      entry: join(__dirname, 'counting-worker.ts'),
      nodeArgs: options.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
      env: { AZBACKUP_REQUEST_COUNTS: countsFile },
    });
    try {
      const pid = worker.pid!;
      const idleRssMiB = rssMiB(pid);
      let before: Record<string, number> = {};
      const measure = async (id: string): Promise<[BackupContainerResult, ProfilePass]> => {
        resetPeakRss(pid);
        const cpu = cpuSeconds(pid);
        const t0 = performance.now();
        const result = await runBenchBackup(s, QUEUE, id);
        const seconds = (performance.now() - t0) / 1000;
        const workerCpu = cpuSeconds(pid) - cpu;
        const after = await counts(countsFile);
        const byKind: Record<string, number> = {};
        let requests = 0;
        for (const [kind, n] of Object.entries(after)) {
          const d = n - (before[kind] ?? 0);
          if (d > 0) byKind[kind] = d / options.blobs;
          requests += d;
        }
        before = after;
        const pass: ProfilePass = {
          seconds,
          blobsPerSecond: options.blobs / seconds,
          requests,
          requestsPerBlob: requests / options.blobs,
          byKind,
          workerCpuMsPerBlob: (workerCpu * 1000) / options.blobs,
          workerPeakRssMiB: peakRssMiB(pid),
        };
        log(
          `  ${seconds.toFixed(1)} s, ${pass.requestsPerBlob.toFixed(2)} requests/blob, ` +
            `${pass.workerCpuMsPerBlob.toFixed(2)} ms worker CPU/blob, peak ${pass.workerPeakRssMiB.toFixed(0)} MiB`,
        );
        return [result, pass];
      };
      log(`full backup (worker idle at ${idleRssMiB.toFixed(0)} MiB)...`);
      const [fullResult, full] = await measure('profile-full');
      if (fullResult.copied !== options.blobs || !fullResult.verified) {
        throw new Error(`the full backup copied ${fullResult.copied} of ${options.blobs}`);
      }
      log('no-change pass...');
      const [incResult, noChange] = await measure('profile-incremental');
      if (incResult.unchanged !== options.blobs) throw new Error(`no-change pass: ${incResult.unchanged} unchanged`);
      const history = await historyEvents(s.client, 'profile-full');
      await worker.stop(60_000);
      const result: ProfileResult = {
        options: { blobs: options.blobs, cpuProf: options.cpuProf, inFlight: 64, blobSizeBytes: 1024 },
        idleRssMiB,
        full,
        noChange,
        history,
        ...(options.cpuProf && { cpuProfileDir: profileDir }),
        ratios: [
          {
            name: 'full backup: storage requests per blob',
            value: full.requestsPerBlob,
            unit: 'requests/blob',
            detail: describeKinds(full),
          },
          {
            name: 'full backup: worker CPU per blob',
            value: full.workerCpuMsPerBlob,
            unit: 'ms/blob',
            detail: `${full.seconds.toFixed(1)} s, ${full.blobsPerSecond.toFixed(0)} blobs/s`,
          },
          {
            name: 'full backup: worker peak RSS',
            value: full.workerPeakRssMiB,
            unit: 'MiB',
            detail: `idle ${idleRssMiB.toFixed(0)} MiB`,
          },
          {
            name: 'no-change pass: storage requests per blob',
            value: noChange.requestsPerBlob,
            unit: 'requests/blob',
            detail: describeKinds(noChange),
          },
          {
            name: 'no-change pass: worker CPU per blob',
            value: noChange.workerCpuMsPerBlob,
            unit: 'ms/blob',
            detail: `${noChange.seconds.toFixed(1)} s`,
          },
          {
            name: 'full backup: history events per blob',
            value: history.total / options.blobs,
            unit: 'events/blob',
            target: '<= 0.05',
            detail: `${history.total} events, largest history ${history.largest}`,
          },
        ],
      };
      return result;
    } finally {
      await worker.stop(60_000);
    }
  });
}

/** The counting worker's counts once it has written them again (every half second). */
async function counts(file: string): Promise<Record<string, number>> {
  rmSync(file, { force: true });
  for (let i = 0; i < 200 && !existsSync(file); i++) await new Promise((r) => setTimeout(r, 50));
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>;
}

function describeKinds(pass: ProfilePass): string {
  return Object.entries(pass.byKind)
    .filter(([, n]) => n >= 0.005)
    .sort((a, b) => b[1] - a[1])
    .map(([kind, n]) => `${kind} ${n.toFixed(2)}`)
    .join(', ');
}
