// The worker as src/workers/main.ts runs it, plus a count of every storage request it sends, by
// connection and kind (one decorator per connection, the same place the rate limit sits: every attempt).
// The counts so far are written to $AZBACKUP_REQUEST_COUNTS as JSON every half second; the profile
// benchmark reads them after a pass.
import { renameSync, writeFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import type { PipelineRequest } from '@azure/core-rest-pipeline';
import { loadConfig } from '../src/config/load';
import { installRuntime } from '../src/metrics/runtime';
import { createWorker } from '../src/workers/create-worker';

/** e.g. `PUT snapshot`, `PUT copy`, `HEAD blob`, `PUT block`, `GET list`. */
export function requestKind(request: PipelineRequest): string {
  const url = new URL(request.url);
  const comp = url.searchParams.get('comp');
  if (request.headers.get('x-ms-copy-source') !== undefined) return `${request.method} ${comp ?? 'blob'} from URL`;
  if (comp) return `${request.method} ${comp}`;
  return `${request.method} ${url.searchParams.get('restype') ?? 'blob'}`;
}

async function main(): Promise<void> {
  const config = loadConfig();
  setFlagsFromString(`--heap-growing-percent=${config.worker.heapGrowthPercent}`); // as main.ts does
  installRuntime(config.worker.metrics);
  const counts: Record<string, number> = {};
  const file = process.env.AZBACKUP_REQUEST_COUNTS;
  if (!file) throw new Error('set AZBACKUP_REQUEST_COUNTS to the file the counts are written to');
  // Written every half second (not on a signal: the Temporal runtime takes SIGUSR2 as a shutdown signal).
  setInterval(() => {
    writeFileSync(`${file}.tmp`, JSON.stringify(counts));
    renameSync(`${file}.tmp`, file); // whole or not at all for the reader
  }, 500).unref();
  const { worker, close } = await createWorker({
    config,
    connectionOptions: {
      decorators: (connection) => [
        (request, next) => {
          const kind = `${connection}: ${requestKind(request)}`;
          counts[kind] = (counts[kind] ?? 0) + 1;
          return next(request);
        },
      ],
    },
  });
  console.log(`azbackup worker polling task queue ${JSON.stringify(config.temporal.taskQueue)} (counting requests)`);
  await worker.run();
  await close();
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
