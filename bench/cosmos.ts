// `npm run bench -- cosmos`: the Cosmos DB export against a bare @azure/cosmos query loop writing the same
// NDJSON to /dev/null, on the same local server in the same run (A-B-A: bare, export, bare); and the
// worker's peak RSS exporting a window ten times larger than another (a flat line is the target).
import { Client, Connection } from '@temporalio/client';
import { createWriteStream, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { startStack } from '../dev/stack';
import { parseConfig } from '../src/config/load';
import { ConnectionRegistry } from '../src/storage/connections';
import { backupCosmosContainer } from '../src/workflows/backup-cosmos';
import type { Ratio } from './results';
import { describeSpread, spread } from './results';
import { peakRssMiB, startBenchWorker } from './worker-process';

export interface CosmosBenchOptions {
  /** Documents for the throughput comparison (the local server slows past ~10,000 in a container). */
  documents: number;
  /** The small window of the memory comparison; the large one holds ten times as many. */
  rssSmall: number;
  rounds: number;
}

const DOC_BYTES = 1024;

export async function cosmosBench(options: CosmosBenchOptions) {
  const log = (m: string) => console.log(m);
  const dataDir = mkdtempSync(join(tmpdir(), 'azbackup-bench-cosmos-'));
  const stack = await startStack({ dataDir, ports: 'random', persistent: false, log });
  const config = parseConfig(stack.config);
  const connections = new ConnectionRegistry(config.connections);
  const connection = await Connection.connect({ address: config.temporal.address });
  const client = new Client({ connection, namespace: config.temporal.namespace });
  try {
    const cosmos = connections.cosmos('cosmos');
    const seed = async (container: string, count: number) => {
      const { database } = await cosmos.databases.createIfNotExists({ id: 'bench' });
      const { container: c } = await database.containers.createIfNotExists({
        id: container,
        partitionKey: { paths: ['/tenant'] },
      });
      const pad = 'x'.repeat(DOC_BYTES - 120);
      for (let i = 0; i < count; i += 100)
        await Promise.all(
          Array.from({ length: Math.min(100, count - i) }, (_, j) =>
            c.items.create({
              id: `d${i + j}`,
              tenant: `t${(i + j) % 16}`,
              n: i + j,
              at: new Date().toISOString(),
              pad,
            }),
          ),
        );
      await new Promise((r) => setTimeout(r, 1100)); // every document's _ts is now in the past
      return c;
    };
    log(`Seeding ${options.documents} documents of ~${DOC_BYTES} bytes...`);
    const main = await seed('throughput', options.documents);

    const bare = async () => {
      const t0 = performance.now();
      const out = createWriteStream('/dev/null');
      const iterator = main.items.query('SELECT * FROM c WHERE c._ts >= 0 AND c._ts < 4000000000', {
        maxItemCount: 1000,
      });
      let n = 0;
      while (iterator.hasMoreResults()) {
        const page = await iterator.fetchNext();
        for (const d of page.resources) {
          if (!out.write(`${JSON.stringify(d)}\n`)) await once(out, 'drain');
          n++;
        }
      }
      out.end();
      await once(out, 'finish');
      if (n !== options.documents) throw new Error(`the bare loop read ${n} documents`);
      return (performance.now() - t0) / 1000;
    };
    const worker = await startBenchWorker(stack.configFile, 'bench-cosmos', join(dataDir, 'logs'));
    const exportOnce = async (container: string, encrypted: boolean) => {
      const t0 = performance.now();
      const r = await client.workflow.execute(backupCosmosContainer, {
        taskQueue: 'bench-cosmos',
        workflowId: `bench-cosmos-${container}-${Date.now()}`,
        args: [
          {
            cosmos: 'cosmos',
            database: 'bench',
            container,
            backup: 'backup',
            mode: 'full',
            encryptionKey: encrypted ? 'local' : undefined,
          },
        ],
      });
      return { seconds: (performance.now() - t0) / 1000, documents: r.documents };
    };
    const bareTimes: number[] = [];
    const exportTimes: number[] = [];
    try {
      await exportOnce('throughput', true); // warm the worker (bundle, first activities) before measuring
      bareTimes.push(await bare());
      for (let round = 0; round < options.rounds; round++) {
        const e = await exportOnce('throughput', true);
        if (e.documents !== options.documents) throw new Error(`the export wrote ${e.documents} documents`);
        exportTimes.push(e.seconds);
        bareTimes.push(await bare());
      }
    } finally {
      await worker.stop();
    }
    const bareS = spread(bareTimes);
    const exportS = spread(exportTimes);

    // Memory: a fresh worker per window size, so each peak is that export's alone.
    const rss: Record<string, number> = {};
    for (const [name, count] of [
      ['small', options.rssSmall],
      ['large', options.rssSmall * 10],
    ] as const) {
      log(`Seeding a window of ${count} documents...`);
      await seed(`rss-${name}`, count);
      const w = await startBenchWorker(stack.configFile, `bench-cosmos-rss-${name}`, join(dataDir, 'logs'));
      try {
        const r = await client.workflow.execute(backupCosmosContainer, {
          taskQueue: `bench-cosmos-rss-${name}`,
          workflowId: `bench-cosmos-rss-${name}`,
          args: [
            {
              cosmos: 'cosmos',
              database: 'bench',
              container: `rss-${name}`,
              backup: 'backup',
              mode: 'full',
              encryptionKey: 'local',
            },
          ],
        });
        if (r.documents !== count) throw new Error(`the ${name} export wrote ${r.documents} documents`);
        rss[name] = peakRssMiB(w.pid!);
      } finally {
        await w.stop();
      }
    }
    const ratios: Ratio[] = [
      {
        name: 'export documents/s vs a bare query loop (NDJSON to /dev/null)',
        value: bareS.median / exportS.median,
        target: '>= 0.8',
        detail:
          `export (gzip-1 + AES-256-GCM + upload + catalog, through Temporal): ${describeSpread(exportS, 's')}, ` +
          `${(options.documents / exportS.median).toFixed(0)} docs/s; bare loop: ${describeSpread(bareS, 's')}, ` +
          `${(options.documents / bareS.median).toFixed(0)} docs/s`,
      },
      {
        name: `worker peak RSS, a window of ${options.rssSmall * 10} vs ${options.rssSmall} documents`,
        value: rss.large! / rss.small!,
        target: '~1 (flat)',
        detail: `${rss.large!.toFixed(0)} MiB vs ${rss.small!.toFixed(0)} MiB`,
      },
    ];
    return {
      ratios,
      documents: options.documents,
      documentBytes: DOC_BYTES,
      bareSeconds: bareS,
      exportSeconds: exportS,
      rssMiB: rss,
    };
  } finally {
    await connection.close();
    connections.close();
    await stack.stop();
  }
}
