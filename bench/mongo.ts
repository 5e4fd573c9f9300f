// `npm run bench -- mongo`: the Mongo collection export (backupMongoCollection, settleSeconds 0, an explicit
// from/to over the seeded documents) against a bare driver loop (`find` by `_id` range, sorted by `_id`,
// the same canonical Extended JSON lines to /dev/null), on the same local FerretDB in the same run,
// alternating bare and export `rounds` times after a warm-up export.
import { Client, Connection } from '@temporalio/client';
import { BSON, ObjectId, type Document } from 'mongodb';
import { createWriteStream, mkdtempSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack } from '../dev/stack';
import { parseConfig } from '../src/config/load';
import { ConnectionRegistry } from '../src/storage/connections';
import { backupMongoCollection } from '../src/workflows/backup-mongo';
import type { Ratio } from './results';
import { describeSpread, spread } from './results';
import { activitySeconds, forEachHistory } from './history';
import { cpuSeconds, startBenchWorker } from './worker-process';

export interface MongoBenchOptions {
  documents: number;
  /** A-B pairs (bare loop, export) after the warm-up. */
  rounds: number;
}

const DOC_BYTES = 1024;
/** The seeded documents' ObjectId times spread over this many seconds (a few hours: one or two windows). */
const SPAN_SECONDS = 3 * 3600;
/** Driver reads as the export does them: no type promotion, so every value stays canonical. */
const READ_TYPES = { promoteValues: false, promoteLongs: false, promoteBuffers: false, bsonRegExp: true } as const;

/** ObjectIds of spread-out times, unique by a counter in the 8 bytes createFromTime leaves zero. */
function objectIdAt(seconds: number, counter: number): ObjectId {
  return new ObjectId(
    ObjectId.createFromTime(seconds).toHexString().slice(0, 8) + counter.toString(16).padStart(16, '0'),
  );
}

export async function mongoBench(options: MongoBenchOptions) {
  const log = (m: string) => console.log(m);
  const dataDir = mkdtempSync(join(tmpdir(), 'azbackup-bench-mongo-'));
  const stack = await startStack({ dataDir, ports: 'random', persistent: false, log });
  const config = parseConfig(stack.config);
  const connections = new ConnectionRegistry(config.connections);
  const connection = await Connection.connect({ address: config.temporal.address });
  const client = new Client({ connection, namespace: config.temporal.namespace });
  try {
    const collection = connections.mongo('mongo').db('bench').collection<Document>('throughput');
    const startSeconds = Math.floor(Date.now() / 1000) - SPAN_SECONDS - 3600;
    const pad = 'x'.repeat(DOC_BYTES - 120);
    log(`Seeding ${options.documents} documents of ~${DOC_BYTES} bytes over ${SPAN_SECONDS / 3600} hours...`);
    for (let i = 0; i < options.documents; i += 1000) {
      await collection.insertMany(
        Array.from({ length: Math.min(1000, options.documents - i) }, (_, j) => {
          const n = i + j;
          const at = startSeconds + Math.floor((n * SPAN_SECONDS) / options.documents);
          return { _id: objectIdAt(at, n), tenant: `t${n % 16}`, n, at: new Date(at * 1000), pad };
        }),
      );
    }
    const fromSeconds = startSeconds - 60;
    const toSeconds = startSeconds + SPAN_SECONDS + 60;
    const from = new Date(fromSeconds * 1000).toISOString();
    const to = new Date(toSeconds * 1000).toISOString();

    const bare = async () => {
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      const out = createWriteStream('/dev/null');
      const cursor = collection.find(
        { _id: { $gte: ObjectId.createFromTime(fromSeconds), $lt: ObjectId.createFromTime(toSeconds) } },
        { ...READ_TYPES, sort: { _id: 1 }, batchSize: 1000 },
      );
      let n = 0;
      for await (const d of cursor) {
        if (!out.write(`${BSON.EJSON.stringify(d, { relaxed: false })}\n`)) await once(out, 'drain');
        n++;
      }
      out.end();
      await once(out, 'finish');
      if (n !== options.documents) throw new Error(`the bare loop read ${n} documents`);
      const cpu = process.cpuUsage(cpu0);
      return { seconds: (performance.now() - t0) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
    };
    const worker = await startBenchWorker(stack.configFile, 'bench-mongo', join(dataDir, 'logs'));
    let run = 0;
    const exportOnce = async () => {
      const t0 = performance.now();
      const cpu0 = cpuSeconds(worker.pid!);
      const workflowId = `bench-mongo-${Date.now()}`;
      const r = await client.workflow.execute(backupMongoCollection, {
        taskQueue: 'bench-mongo',
        workflowId,
        args: [
          {
            mongo: 'mongo',
            database: 'bench',
            collection: 'throughput',
            backup: 'backup',
            backupContainer: `bench-mongo-${run++}`, // a fresh catalog: each run exports the whole range
            from,
            to,
            settleSeconds: 0,
            encryptionKey: 'local',
          },
        ],
      });
      if (r.documents !== options.documents) throw new Error(`the export wrote ${r.documents} documents`);
      const cpu = cpuSeconds(worker.pid!) - cpu0;
      const seconds = (performance.now() - t0) / 1000;
      return { seconds, cpuSeconds: cpu, windows: r.windows, activitySeconds: await windowActivitySeconds(workflowId) };
    };
    /** Time inside the exportWindow activities (started to completed), summed over the run's windows. */
    const windowActivitySeconds = async (workflowId: string) => {
      let total = 0;
      // Only the window children run exportWindow; the parent's history adds nothing to the sum.
      await forEachHistory(client, workflowId, (_, events) => {
        total += activitySeconds(events, 'exportWindow', 'started');
      });
      return total;
    };
    const bareTimes: number[] = [];
    const exportTimes: number[] = [];
    const bareCpu: number[] = [];
    const exportCpu: number[] = [];
    const activityTimes: number[] = [];
    let windows = 0;
    try {
      await exportOnce(); // warm the worker (bundle, first activities) before measuring
      for (let round = 0; round < options.rounds; round++) {
        const b = await bare();
        bareTimes.push(b.seconds);
        bareCpu.push(b.cpuSeconds);
        const e = await exportOnce();
        exportTimes.push(e.seconds);
        exportCpu.push(e.cpuSeconds);
        activityTimes.push(e.activitySeconds);
        windows = e.windows;
        log(`round ${round + 1}: bare ${bareTimes.at(-1)!.toFixed(2)} s, export ${e.seconds.toFixed(2)} s`);
      }
    } finally {
      await worker.stop();
    }
    const bareS = spread(bareTimes);
    const exportS = spread(exportTimes);
    // Where the time goes: the worker's CPU per export (the stack's own processes excluded) against the
    // bench process's CPU per bare loop; near the wall times, the gap is CPU work in the worker.
    const bareCpuS = spread(bareCpu);
    const exportCpuS = spread(exportCpu);
    const activityS = spread(activityTimes);
    const ratios: Ratio[] = [
      {
        name: 'mongo: export documents/s vs a bare driver loop (canonical Extended JSON to /dev/null)',
        value: bareS.median / exportS.median,
        target: '>= 0.8',
        detail:
          `export (${windows} ObjectId windows, gzip-1 + AES-256-GCM + upload + catalog, through Temporal): ` +
          `${describeSpread(exportS, 's')}, ${(options.documents / exportS.median).toFixed(0)} docs/s; ` +
          `bare loop: ${describeSpread(bareS, 's')}, ${(options.documents / bareS.median).toFixed(0)} docs/s`,
      },
      {
        name: 'mongo: worker CPU s per export / bench CPU s per bare loop',
        value: exportCpuS.median / bareCpuS.median,
        detail: `worker ${describeSpread(exportCpuS, 'CPU s', 2)}; bare loop ${describeSpread(bareCpuS, 'CPU s', 2)}`,
      },
      {
        // Where the rest of the wall time goes: workflow and activity scheduling, prepare and commit.
        name: 'mongo: time inside exportWindow / whole export',
        value: activityS.median / exportS.median,
        detail: `exportWindow activities ${describeSpread(activityS, 's')} of ${describeSpread(exportS, 's')}`,
      },
    ];
    return {
      ratios,
      documents: options.documents,
      documentBytes: DOC_BYTES,
      spanSeconds: SPAN_SECONDS,
      windows,
      bareSeconds: bareS,
      exportSeconds: exportS,
      bareCpuSeconds: bareCpuS,
      exportWorkerCpuSeconds: exportCpuS,
      exportWindowActivitySeconds: activityS,
    };
  } finally {
    await connection.close();
    connections.close();
    await stack.stop();
  }
}
