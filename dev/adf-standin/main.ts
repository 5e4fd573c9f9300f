// Child-process entry of the ADF stand-in:
// `tsx dev/adf-standin/main.ts --port P (--cert-file F --key-file F | --tls-dir D [--tls-hostname H])
// [--config-file azbackup.local.yaml]`. With --config-file (the stack's azbackup config), runs perform
// their copies on the stack's accounts. With --tls-dir (docker-compose.yml) it keeps its own certificate
// there, naming --tls-hostname, for the worker to trust as its adf connection's caFile.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ensureLocalCertificate } from '../certs';
import { startAdfStandin } from './server';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    host: { type: 'string', default: '127.0.0.1' },
    'cert-file': { type: 'string' },
    'key-file': { type: 'string' },
    'config-file': { type: 'string' },
    'tls-dir': { type: 'string' },
    'tls-hostname': { type: 'string', multiple: true, default: [] },
  },
});
if (!values.port || (!values['tls-dir'] && (!values['cert-file'] || !values['key-file']))) {
  console.error(
    'usage: adf-standin --port P (--cert-file F --key-file F | --tls-dir D [--tls-hostname H]) [--host H] [--config-file F]',
  );
  process.exit(2);
}

async function tls(): Promise<{ cert: string; key: string }> {
  if (values['tls-dir']) return ensureLocalCertificate(values['tls-dir'], values['tls-hostname']);
  return { cert: readFileSync(values['cert-file']!, 'utf8'), key: readFileSync(values['key-file']!, 'utf8') };
}

tls()
  .then(({ cert, key }) =>
    startAdfStandin({
      host: values.host,
      port: Number(values.port),
      cert,
      key,
      configFile: values['config-file'],
    }),
  )
  .then(
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
