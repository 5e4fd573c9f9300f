// Bounded memory, measured on a real worker process started as the Docker image starts it (the compiled
// build with its prebuilt workflow bundle and the launch settings): a 1 GiB command stream (gzip +
// AES-256-GCM into blob blocks) backs up with the worker's peak RSS under 200 MB, start-up included, and
// 128 MiB of incompressible bytes (AES-256-GCM only, so every byte is staged as a block) within 200 MiB of
// what the worker held idle. The peak is read from VmHWM; the second measure resets it first.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { peakRssMiB, resetPeakRss, rssMiB } from '../../bench/worker-process';
import type { ManagedProcess } from '../../dev/managed-process';
import type { PipelineProgress } from '../../src/pipeline/progress';
import { runBackupPipeline } from '../../src/workflows/backup-pipeline';
import { ensureCompiledBuild } from '../support/compiled-build';
import { stackConfig, stackInfo, uniqueName } from '../support/stack';
import { workerProcess } from '../support/worker-process';

const MiB = 1024 * 1024;

describe('backup pipeline memory', () => {
  const taskQueue = uniqueName('tq-rss');
  const container = uniqueName('bk-rss');
  let worker: ManagedProcess;
  let connection: Connection;
  let client: Client;
  before(async () => {
    const config = stackConfig();
    connection = await Connection.connect({ address: config.temporal.address });
    client = new Client({ connection, namespace: config.temporal.namespace });
    const compiledDir = await ensureCompiledBuild(stackInfo().dataDir);
    worker = await workerProcess(taskQueue, 'rss worker', { compiledDir });
  });
  after(async () => {
    await worker?.stop();
    await connection?.close();
  });

  const measure = async (
    name: string,
    shell: string,
    filters: { kind: string; key?: string }[],
    options: { watch?: boolean; resetPeak?: boolean } = {},
  ) => {
    const { watch = false, resetPeak = true } = options;
    const pid = worker.pid!;
    const idle = rssMiB(pid);
    if (resetPeak) assert.ok(resetPeakRss(pid), 'the kernel resets the peak');
    const handle = await client.workflow.start(runBackupPipeline, {
      taskQueue,
      workflowId: uniqueName('wf-rss'),
      args: [
        {
          name,
          source: { kind: 'command', command: ['sh', '-c', shell] },
          filters,
          sink: { kind: 'blob', connection: 'backup', container, blockBytes: 4 * MiB, concurrency: 4 },
        },
      ],
    });
    // Progress while it streams: the activity's heartbeat details, as the UI and `describe` show them.
    const seen: unknown[] = [];
    let done = false;
    const result = handle.result().finally(() => (done = true));
    while (watch && !done) {
      const description = await handle.describe();
      const payload = description.raw.pendingActivities?.[0]?.heartbeatDetails?.payloads?.[0];
      if (payload) seen.push(defaultPayloadConverter.fromPayload<PipelineProgress>(payload));
      await new Promise((r) => setTimeout(r, 500));
    }
    if (watch) {
      const streaming = seen.filter((p) => (p as PipelineProgress).stage === 'streaming') as PipelineProgress[];
      assert.ok(
        streaming.some((p) => p.bytesIn > 0 && p.inMiBPerSecond > 0),
        JSON.stringify(seen.slice(-3)),
      );
    }
    const manifest = await result;
    const peak = peakRssMiB(pid);
    console.log(
      `${name}: ${manifest.plain.bytes / MiB} MiB in, ${(manifest.stored.bytes / MiB).toFixed(1)} MiB stored, worker idle ${idle.toFixed(0)} MiB, peak ${peak.toFixed(0)} MiB`,
    );
    return { manifest, idle, peak };
  };

  it('streams 1 GiB through gzip and AES-256-GCM with the worker under 200 MB at its peak, heartbeating progress', async () => {
    // The peak since the worker started: its start-up counts too. Paced to last over 20 s: the core sends
    // heartbeat details at most every 80 % of the heartbeat timeout (16 s), and on a quiet machine an
    // unpaced GiB is through in 2 s, before any streaming progress has reached the server.
    const { manifest, peak } = await measure(
      'gib',
      'for i in $(seq 16); do head -c 67108864 /dev/zero; sleep 1.5; done',
      [{ kind: 'gzip' }, { kind: 'aes-256-gcm', key: 'local' }],
      { watch: true, resetPeak: false },
    );
    assert.equal(manifest.plain.bytes, 1024 * MiB);
    const peakMB = (peak * MiB) / 1e6;
    assert.ok(peakMB < 200, `worker peak ${peakMB.toFixed(0)} MB (${peak.toFixed(0)} MiB)`);
  });

  it('stages 128 MiB of incompressible bytes as blocks within 200 MiB of the idle worker', async () => {
    const random = 'openssl enc -aes-256-ctr -nosalt -pass pass:rss -in /dev/zero 2>/dev/null | head -c 134217728';
    const { manifest, idle, peak } = await measure('random', random, [{ kind: 'aes-256-gcm', key: 'local' }]);
    assert.equal(manifest.plain.bytes, 128 * MiB);
    assert.ok(manifest.stored.bytes > manifest.plain.bytes, 'stored every byte (plus tags)');
    assert.ok(peak - idle < 200, `peak ${peak.toFixed(0)} MiB, idle ${idle.toFixed(0)} MiB`);
  });
});
