// The worker under benchmark as its own process, so its peak memory (VmHWM) is its alone.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManagedProcess } from '../dev/managed-process';

export async function startBenchWorker(configFile: string, taskQueue: string, logDir: string): Promise<ManagedProcess> {
  const logFile = join(logDir, `${taskQueue}.log`);
  const worker = new ManagedProcess({
    name: 'bench worker',
    command: process.execPath,
    args: ['--import', 'tsx', join(__dirname, '..', 'src', 'workers', 'main.ts')],
    logFile,
    cwd: join(__dirname, '..'),
    env: { ...process.env, AZBACKUP_CONFIG: configFile, AZBACKUP__temporal__taskQueue: taskQueue },
  });
  const deadline = Date.now() + 120_000;
  while (!readFileSync(logFile, 'utf8').includes('azbackup worker polling')) {
    if (worker.hasExited || Date.now() > deadline) throw new Error(worker.describeExit());
    await new Promise((r) => setTimeout(r, 200));
  }
  return worker;
}

/** Peak resident set size of a process, in MiB (Linux /proc). */
export function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

/** CPU seconds (user + system) a process has used so far (Linux /proc; clock ticks at 100 Hz). */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // After "pid (comm) ": state is field 3, utime field 14 and stime field 15 of the whole line.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
