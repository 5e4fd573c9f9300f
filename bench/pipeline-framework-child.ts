// One backup pipeline run in a process of its own (so /usr/bin/time can report its peak RSS and CPU):
// `tsx bench/pipeline-framework-child.ts '<PipelineBackupInput as JSON>'`, the key in AZBACKUP_BENCH_KEY.
// Prints the stored bytes, the run's wall and CPU seconds (timed inside, so tsx's start-up is not counted)
// and the process's peak RSS. No Temporal: the code the activity runs, without the activity around it.
import type { PipelineBackupInput } from '../src/domain/pipeline-manifest';
import { KeyRing } from '../src/pipeline/key-ring';
import { ProgressTracker } from '../src/pipeline/progress';
import { runPipelineBackup } from '../src/pipeline/run-backup';

async function main(): Promise<void> {
  const input = JSON.parse(process.argv[2]!) as PipelineBackupInput;
  const keys = new KeyRing({ bench: { source: 'env', variable: 'AZBACKUP_BENCH_KEY' } });
  const cpu = process.cpuUsage();
  const started = performance.now();
  const manifest = await runPipelineBackup(
    input,
    { runKey: `bench-${Date.now()}`, workflowId: 'bench', attempt: 1 },
    {
      signal: new AbortController().signal,
      keys,
      blob: () => {
        throw new Error('the benchmark uses the file sink');
      },
    },
    new ProgressTracker(() => {}),
  );
  const used = process.cpuUsage(cpu);
  console.log(
    JSON.stringify({
      outputBytes: manifest.stored.bytes,
      wallSeconds: (performance.now() - started) / 1000,
      cpuSeconds: (used.user + used.system) / 1e6,
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
    }),
  );
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exit(1);
  },
);
