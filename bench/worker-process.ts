// The worker under benchmark as its own process, so its peak memory (VmHWM) is its alone, and what
// the benchmark reads of a process: peak memory and CPU time. It runs as the Docker image runs it: the
// compiled build with its prebuilt workflow bundle (`npm run bundle`, once per benchmark process) and the
// launch settings (dev/worker-process.ts), so the figures are those of what ships.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ManagedProcess } from '../dev/managed-process';
import { startWorkerProcess } from '../dev/worker-process';

const root = join(__dirname, '..');
let built = false;

/** `npm run bundle` (tsc into dist/, then the workflow bundle), once per benchmark process. */
export function ensureBuilt(log: (message: string) => void = console.log): void {
  if (built) return;
  log('building the worker as the Docker image does (npm run bundle)...');
  execFileSync('npm', ['run', 'bundle'], { cwd: root, stdio: 'ignore' });
  built = true;
}

export function startBenchWorker(configFile: string, taskQueue: string, logDir: string): Promise<ManagedProcess> {
  ensureBuilt();
  return startWorkerProcess({
    configFile,
    taskQueue,
    logFile: join(logDir, `${taskQueue}.log`),
    name: 'bench worker',
    compiled: true,
  });
}

/** Peak resident set size of a process, in MiB (Linux /proc). */
export function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

/** Current resident set size of a process, in MiB (Linux /proc). */
export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

/**
 * Resets a process's peak RSS to its current RSS (`5` to /proc/<pid>/clear_refs), so the next peakRssMiB is
 * the peak of what ran in between: one pass, not the worker's start-up (it bundles its workflows). False when
 * the kernel refuses (not our process, or no such file).
 */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** CPU seconds (user + system) a process has used so far (Linux /proc; clock ticks at 100 Hz). */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // After "pid (comm) ": state is field 3, utime field 14 and stime field 15 of the whole line.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
