// Child-process entry of the ADF stand-in:
// `tsx dev/adf-standin/main.ts --port P --cert-file F --key-file F [--config-file azbackup.local.yaml]`.
// With --config-file (the stack's azbackup config), runs perform their copies on the stack's accounts.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startAdfStandin } from './server';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    host: { type: 'string', default: '127.0.0.1' },
    'cert-file': { type: 'string' },
    'key-file': { type: 'string' },
    'config-file': { type: 'string' },
  },
});
if (!values.port || !values['cert-file'] || !values['key-file']) {
  console.error('usage: adf-standin --port P --cert-file F --key-file F [--host H] [--config-file F]');
  process.exit(2);
}
startAdfStandin({
  host: values.host,
  port: Number(values.port),
  cert: readFileSync(values['cert-file'], 'utf8'),
  key: readFileSync(values['key-file'], 'utf8'),
  configFile: values['config-file'],
}).then(
  (standin) => {
    console.log(
      `ADF stand-in listening on ${standin.url}` +
        (values['config-file']
          ? ` (copies on the stack of ${values['config-file']})`
          : ' (no --config-file: no copies)'),
    );
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => void standin.close().then(() => process.exit(0)));
    }
  },
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
