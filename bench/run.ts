// `npm run bench -- <suite> [--blobs N] [--rss-small N] [--rss-large N]`: benchmarks that print ratios
// against baselines measured in the same run (never absolute targets).
import { parseArgs } from 'node:util';
import { blobBench } from './blob';

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      blobs: { type: 'string', default: '20000' },
      'rss-small': { type: 'string', default: '10000' },
      'rss-large': { type: 'string', default: '100000' },
    },
  });
  const suite = positionals[0] ?? 'blob';
  if (suite !== 'blob') throw new Error(`unknown benchmark ${JSON.stringify(suite)}; available: blob`);
  await blobBench({
    blobs: Number(values.blobs),
    rssSmall: Number(values['rss-small']),
    rssLarge: Number(values['rss-large']),
  });
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exit(1);
  },
);
