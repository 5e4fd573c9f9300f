// The worker's Prometheus endpoint on the real stack: scraped while a backup runs (slowed down with
// maxRequestsPerSecond, a page at a time) and after it, azbackup's counters for the source rise to what
// was seeded, the recovery point appears, and the Temporal runtime's own metrics are served beside them;
// and the worker process as deployed (src/workers/main.ts) installs the runtime with its exporter.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { findFreePorts } from '../../dev/ports';
import { seedBlobs, type SeededBlob } from '../../dev/seed';
import { startWorkerProcess } from '../../dev/worker-process';
import type { MetricsConfig } from '../../src/config/schema';
import { backupContainer } from '../../src/workflows/backup-container';
import { scrape, valueOf, type ScrapedSample } from '../support/metrics';
import { stackInfo, startTestWorker, uniqueName, type TestWorker } from '../support/stack';

const BLOBS = 40;

describe('worker metrics endpoint', () => {
  let w: TestWorker;
  let metrics: MetricsConfig;
  let url: string;
  const container = uniqueName('metered');
  let seeded: SeededBlob[];
  before(async () => {
    const [port, runtimePort] = await findFreePorts(2);
    metrics = { port: port!, host: '127.0.0.1', runtimePort };
    url = `http://127.0.0.1:${port}/metrics`;
    w = await startTestWorker({ metrics });
    seeded = await seedBlobs(w.connections.blob('source').service.getContainerClient(container), { count: BLOBS });
  });
  after(() => w?.stop());

  it('counts a backup while it runs and after, per source, beside the Temporal runtime metrics', async () => {
    const source = { source: `source/${container}` }; // the account name the catalog records, on the local stack
    const copied = (s: ScrapedSample[]) => valueOf(s, 'azbackup_backup_items_total', { ...source, outcome: 'copied' });
    const before = await scrape(url);
    assert.match(before.contentType, /^text\/plain; version=0\.0\.4/);
    assert.equal(copied(before.samples), undefined, 'nothing counted for a source before its first page');

    const handle = await w.client.workflow.start(backupContainer, {
      taskQueue: w.taskQueue,
      workflowId: uniqueName('wf-metered'),
      // 4 pages of 10, one at a time, at 10 requests a second to each account: a few seconds a page.
      args: [
        {
          source: 'source',
          container,
          backup: 'backup',
          backupContainer: uniqueName('bk-metered'),
          pageSize: 10,
          maxConcurrentPages: 1,
          concurrency: 2,
          maxRequestsPerSecond: 10,
        },
      ],
    });
    const midRun: number[] = [];
    let running = true;
    const result = handle.result().finally(() => (running = false));
    while (running) {
      const now = copied((await scrape(url)).samples);
      if (running && now !== undefined && midRun.at(-1) !== now) midRun.push(now);
      await sleep(250);
    }
    const r = await result;
    assert.deepEqual([r.copied, r.failed, r.verified], [BLOBS, 0, true]);
    assert.ok(
      midRun.some((n) => n > 0 && n < BLOBS),
      `a scrape during the run saw some pages counted, not all (saw ${midRun.join(', ')})`,
    );
    assert.deepEqual(
      midRun,
      [...midRun].sort((a, b) => a - b),
      'the counter only rises',
    );

    const { samples } = await scrape(url);
    const bytes = seeded.reduce((sum, b) => sum + b.size, 0);
    assert.equal(copied(samples), BLOBS);
    assert.equal(valueOf(samples, 'azbackup_backup_bytes_total', { ...source, outcome: 'copied' }), bytes);
    assert.equal(r.bytesCopied, bytes, 'the run reports the same bytes');
    assert.equal(valueOf(samples, 'azbackup_backup_items_total', { ...source, outcome: 'failed' }), 0);
    assert.equal(valueOf(samples, 'azbackup_backup_verify_failures_total', source), 0);
    assert.equal(
      valueOf(samples, 'azbackup_runs_committed_total', { ...source, kind: 'blob', outcome: 'verified' }),
      1,
    );
    assert.equal(
      valueOf(samples, 'azbackup_last_verified_backup_timestamp_seconds', source),
      Date.parse(r.startedAt) / 1000,
      'the recovery point is the start of the verified run',
    );
    const age = valueOf(samples, 'azbackup_seconds_since_last_verified_backup', source);
    assert.ok(age !== undefined && age >= 0 && age < r.elapsedMs / 1000 + 60, `recovery point ${age} s old`);

    // The Temporal runtime's own metrics (core SDK names, prefix temporal_), read through the same endpoint.
    assert.equal(valueOf(samples, 'azbackup_runtime_metrics_up'), 1);
    const onQueue = { task_queue: w.taskQueue };
    assert.equal(valueOf(samples, 'temporal_workflow_completed', { ...onQueue, workflow_type: 'backupContainer' }), 1);
    assert.equal(
      valueOf(samples, 'temporal_workflow_completed', { ...onQueue, workflow_type: 'backupContainerPage' }),
      BLOBS / 10,
    );
    assert.ok(
      samples.some(
        (s) => s.name.startsWith('temporal_activity_execution_latency') && s.labels.task_queue === w.taskQueue,
      ),
      'activity latencies from the runtime',
    );
  });

  it('answers 404 off /metrics', async () => {
    const res = await fetch(url.replace('/metrics', '/'));
    assert.equal(res.status, 404);
    assert.match(await res.text(), /metrics are at \/metrics/);
  });
});

describe('worker process metrics (src/workers/main.ts)', () => {
  it('installs the runtime with its exporter and serves both from the configured port', async () => {
    const [port, runtimePort] = await findFreePorts(2);
    const worker = await startWorkerProcess({
      configFile: stackInfo().configFile,
      logFile: join(mkdtempSync(join(tmpdir(), 'azb-metrics-')), 'worker.log'),
      taskQueue: uniqueName('tq-metrics'),
      env: {
        AZBACKUP__worker__metrics__port: String(port),
        AZBACKUP__worker__metrics__host: '127.0.0.1',
        AZBACKUP__worker__metrics__runtimePort: String(runtimePort),
      },
    });
    try {
      let samples: ScrapedSample[] = [];
      // The runtime's metrics appear once its pollers have started.
      for (const deadline = Date.now() + 30_000; Date.now() < deadline; await sleep(250)) {
        samples = (await scrape(`http://127.0.0.1:${port}/metrics`)).samples;
        if (samples.some((s) => s.name.startsWith('temporal_'))) break;
      }
      assert.equal(valueOf(samples, 'azbackup_runtime_metrics_up'), 1);
      assert.ok(
        samples.some((s) => s.name.startsWith('temporal_')),
        "the Temporal runtime's metrics are served by the worker process",
      );
    } finally {
      await worker.stop();
    }
  });
});
