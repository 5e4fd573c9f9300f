// Child-process entry for the local Cosmos DB server (@vercel/cosmosdb-server), served with the dev
// stack's own certificate (the package's bundled one expired in 2021) and keep-alive on.
import { createHttpsServer } from '@vercel/cosmosdb-server';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    host: { type: 'string', default: '127.0.0.1' },
    'cert-file': { type: 'string' },
    'key-file': { type: 'string' },
  },
});
if (!values.port || !values['cert-file'] || !values['key-file']) {
  console.error('usage: cosmos-server-main --port P --cert-file F --key-file F [--host H]');
  process.exit(2);
}
const server = createHttpsServer({
  cert: readFileSync(values['cert-file']),
  key: readFileSync(values['key-file']),
  keepAlive: true,
} as Parameters<typeof createHttpsServer>[0]);
server.keepAliveTimeout = 60_000;
server.listen(Number(values.port), values.host, () => {
  console.log(`Cosmos DB server listening on https://${values.host}:${values.port}`);
});
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    server.close();
    server.closeAllConnections();
    process.exit(0);
  });
}
