// Child-process entry of the ADF stand-in: `tsx dev/adf-standin/main.ts --port P --cert-file F --key-file F`.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startAdfStandin } from './server';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    host: { type: 'string', default: '127.0.0.1' },
    'cert-file': { type: 'string' },
    'key-file': { type: 'string' },
  },
});
if (!values.port || !values['cert-file'] || !values['key-file']) {
  console.error('usage: adf-standin --port P --cert-file F --key-file F [--host H]');
  process.exit(2);
}
startAdfStandin({
  host: values.host,
  port: Number(values.port),
  cert: readFileSync(values['cert-file'], 'utf8'),
  key: readFileSync(values['key-file'], 'utf8'),
}).then(
  (standin) => {
    console.log(`ADF stand-in listening on ${standin.url}`);
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => void standin.close().then(() => process.exit(0)));
    }
  },
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
