// The worker process: `npm run worker` (or `node dist/src/workers/main.js`). Config from
// $AZBACKUP_CONFIG (default ./azbackup.yaml) plus AZBACKUP__* overrides. SIGINT/SIGTERM drain and stop.
// It installs the process's Temporal runtime (once, first): with `worker.metrics`, with its exporter.
// Compiled, it loads the prebuilt workflow bundle when there is a current one (workflow-source.ts).
import '../lib/check-node';
import { setFlagsFromString } from 'node:v8';
import { loadConfig } from '../config/load';
import { installRuntime } from '../metrics/runtime';
import { createWorker } from './create-worker';
import { missingLaunchSettings } from './launch-settings';
import { workflowSource } from './workflow-source';

async function main(): Promise<void> {
  const config = loadConfig();
  // Before the heap grows: steps of this size instead of V8's larger default keep the peak lower.
  setFlagsFromString(`--heap-growing-percent=${config.worker.heapGrowthPercent}`);
  installRuntime(config.worker.metrics);
  const source = workflowSource();
  console.log(
    source.kind === 'prebuilt'
      ? `azbackup worker using the prebuilt workflow bundle ${source.codePath}`
      : `azbackup worker bundling its workflows at start (${source.reason})`,
  );
  const missing = missingLaunchSettings();
  if (missing.length)
    console.log(
      `azbackup worker started without ${missing.join(' ')}: expect a higher peak memory ` +
        '(docs/memory-and-concurrency.md; the Docker image and npm run worker set them)',
    );
  const workflowBundle = source.kind === 'prebuilt' ? { codePath: source.codePath } : undefined;
  const { worker, metrics, close } = await createWorker({ config, workflowBundle });
  if (metrics) console.log(`azbackup worker metrics on ${metrics.url}`);
  console.log(
    `azbackup worker polling task queue ${JSON.stringify(config.temporal.taskQueue)} on ` +
      `${config.temporal.address} (namespace ${config.temporal.namespace}); Ctrl-C to stop.`,
  );
  // Worker.run() resolves after the SDK's shutdown signal handlers have drained in-flight tasks.
  await worker.run();
  await close();
  console.log('azbackup worker stopped.');
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
