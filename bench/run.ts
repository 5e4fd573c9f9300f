// `npm run bench -- <suite> [flags]`: benchmarks that print ratios against baselines and peers measured in the
// same run (never absolute targets), and write them as data to bench/results/<suite>-<date>[-<n>].json.
//   blob      [--blobs 5000] [--rss-small 10000] [--rss-large 100000] [--peers rclone|none]
//             [--storage memory,disk] [--rounds 1]   (rounds: rclone, then rounds × (azbackup, rclone))
//   pipeline  [--input-mib 256]   (the chain per core; directory and stream backups vs tar | gzip | openssl)
//   cosmos    [--documents 5000] [--rss-documents 500] [--rounds 1]   (export vs a bare query loop; RSS at 1x and 10x)
//   mongo     [--documents 5000] [--rounds 2]   (export vs a bare driver loop on FerretDB, alternating A-B)
//   profile   [--blobs 5000] [--cpu-prof]   (requests per blob by kind, worker CPU per blob, peak RSS)
//   scale     [--sizes 20000,200000]   (full, then 1 % changed: throughput, history, payloads, peak RSS)
// A quick run: `npm run bench -- blob --blobs 5000 --rss-small 0 --rss-large 0 --peers rclone --storage memory,disk`.
import '../src/lib/check-node';
import { parseArgs } from 'node:util';
import { blobBench, PEERS, STORAGE_KINDS, type Peer, type StorageKind } from './blob';
import { cosmosBench } from './cosmos';
import { mongoBench } from './mongo';
import { pipelineChainBench } from './pipeline-chain';
import { pipelineFrameworkBench } from './pipeline-framework';
import { profileBench } from './profile';
import { scaleBench } from './scale';
import { benchEnvironment, printRatios, writeResults } from './results';

const SUITES = ['blob', 'pipeline', 'cosmos', 'mongo', 'profile', 'scale'] as const;

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      blobs: { type: 'string', default: '5000' },
      'rss-small': { type: 'string', default: '10000' },
      'rss-large': { type: 'string', default: '100000' },
      peers: { type: 'string', default: 'rclone' },
      storage: { type: 'string', default: 'memory,disk' },
      rounds: { type: 'string', default: '1' },
      'input-mib': { type: 'string', default: '256' },
      documents: { type: 'string', default: '5000' },
      'rss-documents': { type: 'string', default: '500' },
      'cpu-prof': { type: 'boolean', default: false },
      sizes: { type: 'string', default: '20000,200000' },
    },
  });
  const suite = positionals[0] ?? 'blob';
  if (!(SUITES as readonly string[]).includes(suite)) {
    throw new Error(`unknown benchmark ${JSON.stringify(suite)}; available: ${SUITES.join(', ')}`);
  }
  const environment = await benchEnvironment({ stack: suite !== 'pipeline' });
  if (suite === 'blob') {
    const result = await blobBench({
      blobs: count(values.blobs, '--blobs', 1),
      rssSmall: count(values['rss-small'], '--rss-small', 0),
      rssLarge: count(values['rss-large'], '--rss-large', 0),
      peers: list(values.peers, '--peers', PEERS, ['none']) as Peer[],
      storage: list(values.storage, '--storage', STORAGE_KINDS, []) as StorageKind[],
      rounds: count(values.rounds, '--rounds', 1),
    });
    environment.versions.rclone = result.peers.rclone;
    const { ratios, ...rest } = result;
    report(await writeResults('blob', environment, { ratios, ...rest }));
  } else if (suite === 'profile') {
    const result = await profileBench({ blobs: count(values.blobs, '--blobs', 1), cpuProf: values['cpu-prof'] });
    console.log('\nprofile benchmark:');
    printRatios(result.ratios);
    report(await writeResults('profile', environment, { ...result }));
  } else if (suite === 'scale') {
    const sizes = (values.sizes ?? '').split(',').map((x) => count(x.trim(), '--sizes', 100));
    // Written after each size, so a size that never finishes leaves the ones before it on record.
    let file: string | undefined;
    const result = await scaleBench({
      sizes,
      onSize: async (sofar) => {
        file = await writeResults('scale', environment, { ...sofar, complete: false }, file);
      },
    });
    console.log('\nscale benchmark:');
    printRatios(result.ratios);
    report(await writeResults('scale', environment, { ...result, complete: true }, file));
  } else if (suite === 'cosmos') {
    const result = await cosmosBench({
      documents: count(values.documents, '--documents', 1),
      rssSmall: count(values['rss-documents'], '--rss-documents', 1),
      rounds: count(values.rounds, '--rounds', 1),
    });
    console.log('\ncosmos benchmark:');
    printRatios(result.ratios);
    report(await writeResults('cosmos', environment, result));
  } else if (suite === 'mongo') {
    const rounds = Math.max(2, count(values.rounds, '--rounds', 1)); // A-B at least twice
    const result = await mongoBench({ documents: count(values.documents, '--documents', 1), rounds });
    console.log('\nmongo benchmark:');
    printRatios(result.ratios);
    report(await writeResults('mongo', environment, result));
  } else {
    const result = await pipelineChainBench({ inputMiB: count(values['input-mib'], '--input-mib', 1) });
    const framework = await pipelineFrameworkBench({ inputMiB: count(values['input-mib'], '--input-mib', 1) });
    const ratios = [
      ...(['directory', 'stream'] as const).map((what) => ({
        name: `pipeline: ${what} backup MiB/s / shell (tar | gzip -1 | openssl) MiB/s, same sink`,
        value: framework[what].ratio,
        target: '>= 0.9',
        detail:
          `${framework[what].framework.mibPerSecond.toFixed(1)} vs ${framework[what].shell.mibPerSecond.toFixed(1)} MiB/s; ` +
          `peak RSS ${framework[what].framework.peakRssMiB.toFixed(0)} vs ${framework[what].shell.peakRssMiB.toFixed(0)} MiB`,
      })),
      {
        name: 'pipeline: chain MiB/s per core / shell MiB/s per core',
        value: result.ratio,
        target: '>= 0.9',
        detail:
          `gzip-1 + AES-256-GCM ${result.chain.mibPerCore.toFixed(1)} vs gzip -1 | openssl ` +
          `${result.shell.mibPerCore.toFixed(1)} MiB/s per core`,
      },
    ];
    console.log('\npipeline benchmark:');
    printRatios(ratios);
    report(await writeResults('pipeline', environment, { ratios, measurements: result, framework }));
  }
}

function report(file: string): void {
  console.log(`\nresults: ${file}`);
}

function count(text: string | undefined, flag: string, min: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new Error(`${flag} must be an integer >= ${min}, got ${text}`);
  return n;
}

/** A comma-separated flag whose members must come from `allowed` (`none` words mean an empty list). */
function list(text: string | undefined, flag: string, allowed: readonly string[], none: string[]): string[] {
  const items = (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 1 && none.includes(items[0]!)) return [];
  const wrong = items.filter((i) => !allowed.includes(i));
  if (wrong.length > 0 || (items.length === 0 && none.length === 0)) {
    throw new Error(
      `${flag} takes a comma-separated list of ${[...allowed, ...none].join(', ')}; got ${JSON.stringify(text)}`,
    );
  }
  return [...new Set(items)];
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exit(1);
  },
);
