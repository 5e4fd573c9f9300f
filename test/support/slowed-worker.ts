// The worker as src/workers/main.ts runs it, with every storage request to one connection held back for a
// while first: crash tests use it so that an activity is surely still running when its process is killed
// (on a fast machine a window's export can finish between "in flight" and the kill).
// $AZBACKUP_TEST_SLOW_REQUESTS is `<connection>:<ms>`, e.g. `backup:1500`.
import { loadConfig } from '../../src/config/load';
import { installRuntime } from '../../src/metrics/runtime';
import { createWorker } from '../../src/workers/create-worker';
import { SLOW_REQUESTS_ENV } from './worker-process';

async function main(): Promise<void> {
  const match = /^([\w-]+):(\d+)$/.exec(process.env[SLOW_REQUESTS_ENV] ?? '');
  if (!match) throw new Error(`set ${SLOW_REQUESTS_ENV} to <connection>:<ms>, e.g. backup:1500`);
  const [, slowed, ms] = match;
  const config = loadConfig();
  installRuntime(config.worker.metrics);
  const { worker, close } = await createWorker({
    config,
    connectionOptions: {
      decorators: (connection) =>
        connection === slowed
          ? [
              async (request, next) => {
                await new Promise((resolve) => setTimeout(resolve, Number(ms)));
                return next(request);
              },
            ]
          : [],
    },
  });
  console.log(`azbackup worker polling task queue ${JSON.stringify(config.temporal.taskQueue)} (slowed ${slowed})`);
  await worker.run();
  await close();
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
