// docker-compose.yml cannot run here (no Docker engine), so check what would break it: references
// between services, the worker's config against the dev stack's (names, hosts, ports, credentials),
// the stand-ins' versions and flags, the secrets kept out of the files, and the images' stages.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { AZURITE_ACCOUNTS } from '../../dev/azurite';
import { FERRETDB_VERSION } from '../../dev/ferretdb';
import { DEFAULT_PORTS, LOCAL_COSMOS_KEY, localConfig, type StackPorts } from '../../dev/stack';
import { loadConfig } from '../../src/config/load';
import type { Config } from '../../src/config/schema';
import { WORKER_ENV, WORKER_NODE_FLAGS } from '../../src/workers/launch-settings';
import { AZBACKUP_SEARCH_ATTRIBUTES } from '../../src/workflows/search-attributes';

const root = join(__dirname, '..', '..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');

interface Service {
  image?: string;
  hostname?: string;
  build?: { context: string; target?: string; args?: Record<string, string> };
  depends_on?: string[] | Record<string, { condition: string }>;
  ports?: string[];
  expose?: string[];
  volumes?: string[];
  env_file?: string[];
  environment?: Record<string, string>;
  command?: string[] | string;
  labels?: Record<string, string>;
  healthcheck?: { test: string[] | string };
}

const compose = parse(read('docker-compose.yml'), { merge: true }) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};
const services = compose.services;
const worker = services.worker!;
const CONFIG_MOUNT = ':/config/azbackup.yaml:ro';
const configFile = worker.volumes!.find((v) => v.endsWith(CONFIG_MOUNT))!.split(':')[0]!;
const DEV_ONLY = ['azurite', 'cosmos', 'cosmos-cert', 'mongo', 'adf-standin'];

const dependsOn = (s: Service) => (Array.isArray(s.depends_on) ? s.depends_on : Object.keys(s.depends_on ?? {}));

/** KEY=VALUE lines of a compose env_file (comments and blank lines skipped). */
function envFile(file: string): Record<string, string> {
  const entries = read(file)
    .split('\n')
    .filter((line) => line.trim() && !line.startsWith('#'))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as const);
  return Object.fromEntries(entries);
}
const envFiles = (s: Service) => Object.assign({}, ...(s.env_file ?? []).map(envFile)) as Record<string, string>;

/** The worker's config as the container sees it: its env files, its key, the certificates the stand-ins write. */
function workerConfig(): Config {
  const dir = mkdtempSync(join(tmpdir(), 'azb-compose-'));
  const pem = join(dir, 'ca.pem');
  writeFileSync(pem, '');
  return loadConfig({
    file: join(root, configFile),
    env: {
      ...envFiles(worker),
      AZBACKUP_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      AZBACKUP__connections__cosmos__caFile: pem,
      AZBACKUP__connections__adf__caFile: pem,
    },
  });
}
const rawConfig = () => parse(read(configFile)) as Config;

/** Each connection of the worker's config: the compose host and port it reaches, and the dev stack's component. */
function endpoints(config: Config): { name: string; host: string; port: number; component: keyof StackPorts }[] {
  return Object.entries(config.connections).map(([name, c]) => {
    const [url, component] =
      c.kind === 'blob'
        ? [c.accountUrl!, 'azurite' as const]
        : c.kind === 'cosmos'
          ? [c.endpoint, 'cosmos' as const]
          : c.kind === 'mongo'
            ? [c.connectionString, 'mongo' as const]
            : [(c as { endpoint?: string }).endpoint!, 'adf' as const]; // no queue connection in this config
    const parsed = new URL(url);
    return { name, host: parsed.hostname, port: Number(parsed.port), component };
  });
}

describe('docker-compose.yml', () => {
  it('gives every service an image or a build, pinned (no :latest except the emulator, which has no versions)', () => {
    for (const [name, s] of Object.entries(services)) {
      assert.ok(s.image || s.build, `${name} has an image or a build`);
      if (s.image && name !== 'cosmos') assert.doesNotMatch(s.image, /:latest$|^[^:]+$/, `${name} pins its image`);
    }
  });

  it('only depends on services, named volumes and files that exist', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const dep of dependsOn(s)) assert.ok(services[dep], `${name} depends on unknown service ${dep}`);
      for (const volume of s.volumes ?? []) {
        const source = volume.split(':')[0]!;
        if (source.startsWith('.')) assert.ok(existsSync(join(root, source)), `${name} mounts missing ${source}`);
        else assert.ok(source in compose.volumes, `${name} uses undeclared volume ${source}`);
      }
      for (const file of s.env_file ?? []) assert.ok(existsSync(join(root, file)), `${name} reads missing ${file}`);
    }
  });

  it('publishes each host port once', () => {
    const hostPorts = Object.values(services).flatMap((s) => (s.ports ?? []).map((p) => p.split(':')[0]));
    assert.equal(new Set(hostPorts).size, hostPorts.length);
  });

  it('registers exactly the search attributes the workflows use, as Keyword', () => {
    const script = String(services['temporal-setup']?.command);
    const names = /for name in ([\w ]+); do/.exec(script)?.[1]?.trim().split(/\s+/);
    assert.deepEqual(names?.sort(), AZBACKUP_SEARCH_ATTRIBUTES.map((k) => k.name).sort());
    assert.match(script, /--type Keyword/);
  });

  it("gives the worker a config that loads with the env files' credentials and has the dev stack's names", () => {
    const config = workerConfig();
    const dev = localConfig(
      DEFAULT_PORTS,
      { address: '127.0.0.1:7233', namespace: 'default', uiUrl: 'http://127.0.0.1:8233' },
      'ca.pem',
      'local.key',
    );
    const kinds = (c: Record<string, { kind: string }>) =>
      Object.entries(c).map(([name, { kind }]) => `${name}:${kind}`);
    // Known gap: compose runs no Azurite queue service yet, so the dev stack's `events` queue connection
    // (producer triggers' Event Grid queue) has no counterpart here.
    const devConnections = Object.fromEntries(Object.entries(dev.connections).filter(([, c]) => c.kind !== 'queue'));
    assert.deepEqual(kinds(config.connections).sort(), kinds(devConnections).sort());
    assert.deepEqual(Object.keys(config.keys).sort(), Object.keys(dev.keys ?? {}).sort());
    assert.equal(config.temporal.namespace, dev.temporal?.namespace);
    assert.equal(config.temporal.taskQueue, dev.temporal?.taskQueue);
    assert.equal(worker.environment?.AZBACKUP_CONFIG, '/config/azbackup.yaml');
    // The credentials the stand-ins are given are the ones the worker uses.
    const azurite = envFiles(services.azurite!).AZURITE_ACCOUNTS!;
    for (const c of Object.values(config.connections)) {
      if (c.kind !== 'blob') continue;
      const account = c.accountName as keyof typeof AZURITE_ACCOUNTS;
      assert.equal(c.accountKey, AZURITE_ACCOUNTS[account], `${account}'s key`);
      assert.ok(azurite.split(';').includes(`${account}:${c.accountKey}`), `Azurite serves ${account}`);
      assert.equal(new URL(c.accountUrl!).pathname, `/${account}`);
    }
    const cosmos = config.connections.cosmos;
    assert.ok(cosmos?.kind === 'cosmos' && cosmos.key === LOCAL_COSMOS_KEY);
    // The ADF stand-in copies with the worker's own connections.
    assert.deepEqual(services['adf-standin']!.env_file, worker.env_file);
    assert.ok(services['adf-standin']!.volumes!.includes(`${configFile}${CONFIG_MOUNT}`));
  });

  it('points every connection at a service under that host name, on the dev stack port, started first', () => {
    const config = workerConfig();
    const targets = [
      ...endpoints(config),
      { name: 'temporal', host: config.temporal.address.split(':')[0]!, port: 7233, component: 'temporal' as const },
    ];
    assert.equal(Number(config.temporal.address.split(':')[1]), DEFAULT_PORTS.temporal);
    for (const { name, host, port, component } of targets) {
      const service = services[host];
      assert.ok(service, `${name} reaches ${host}, a compose service`);
      assert.equal(port, DEFAULT_PORTS[component], `${name} uses the dev stack's ${component} port`);
      assert.ok(service.expose?.includes(String(port)), `${host} listens on ${port}`);
      const started = dependsOn(worker).some((d) => d === host || dependsOn(services[d]!).includes(host));
      assert.ok(started, `the worker starts after ${host}`);
    }
    // TLS: the emulator's certificate names its hostname; the stand-in's names its service.
    const raw = rawConfig().connections;
    assert.ok(raw.cosmos?.kind === 'cosmos' && raw.adf?.kind === 'adf');
    assert.equal(services.cosmos!.hostname, new URL(raw.cosmos.endpoint).hostname);
    const standin = services['adf-standin']!;
    const args = standin.command as string[];
    const arg = (flag: string) => args[args.indexOf(flag) + 1];
    assert.equal(arg('--port'), String(DEFAULT_PORTS.adf));
    assert.equal(arg('--tls-hostname'), new URL(raw.adf.endpoint!).hostname);
    assert.equal(arg('--tls-dir'), dirname(raw.adf.caFile!));
    assert.equal(arg('--config-file'), '/config/azbackup.yaml');
    assert.ok(standin.volumes!.includes(`standin-tls:${arg('--tls-dir')}`));
    assert.ok(worker.volumes!.includes(`standin-tls:${arg('--tls-dir')}:ro`));
    assert.ok(worker.volumes!.includes(`certs:${dirname(raw.cosmos.caFile!)}:ro`));
  });

  it('runs Azurite and FerretDB at the versions and with the flags of the dev stack', () => {
    const azurite = services.azurite!;
    const npmAzurite = (JSON.parse(read('node_modules/azurite/package.json')) as { version: string }).version;
    assert.equal(azurite.image, `mcr.microsoft.com/azure-storage/azurite:${npmAzurite}`);
    const args = azurite.command as string[];
    for (const flag of ['--skipApiVersionCheck', '--disableTelemetry']) assert.ok(args.includes(flag), flag);
    assert.equal(args[args.indexOf('--blobPort') + 1], String(DEFAULT_PORTS.azurite));
    const mongo = services.mongo!;
    assert.equal(mongo.image, `ghcr.io/ferretdb/ferretdb:${FERRETDB_VERSION.replace(/^v/, '')}`);
    assert.equal(mongo.environment?.FERRETDB_HANDLER, 'sqlite');
    assert.equal(mongo.environment?.FERRETDB_LISTEN_ADDR, `:${DEFAULT_PORTS.mongo}`);
  });

  it('labels exactly the local stand-ins azbackup.dev-only', () => {
    const labelled = Object.entries(services).filter(([, s]) => s.labels?.['azbackup.dev-only'] === 'true');
    assert.deepEqual(labelled.map(([name]) => name).sort(), [...DEV_ONLY].sort());
  });

  it('keeps secrets out of the compose file, the Dockerfile and the worker config', () => {
    const known = [
      ...Object.values(AZURITE_ACCOUNTS),
      LOCAL_COSMOS_KEY,
      ...Object.values(envFiles(worker)),
      ...Object.values(envFile('docker/dev-credentials/temporal-db.env')),
    ];
    for (const file of ['docker-compose.yml', 'Dockerfile', configFile]) {
      const text = read(file);
      for (const secret of known) assert.ok(!text.includes(secret), `${file} holds a development credential`);
      // Key-shaped: a long run of base64 characters mixing upper and lower case and digits.
      const keyShaped = text
        .split(/[^A-Za-z0-9+/=]+/)
        .filter((t) => t.length >= 32 && /[A-Z]/.test(t) && /[a-z]/.test(t) && /\d/.test(t));
      assert.deepEqual(keyShaped, [], `${file} holds key-shaped text`);
    }
    const SECRET_NAME = /KEY|PASSWORD|PWD|SECRET|TOKEN|CONNECTION_?STRING|SAS/i;
    for (const [name, s] of Object.entries(services)) {
      for (const [key, value] of Object.entries(s.environment ?? {})) {
        if (SECRET_NAME.test(key))
          assert.match(String(value), /^\$\{\w+:\?[^}]+\}$/, `${name}'s ${key} must come from the environment`);
      }
    }
    assert.match(worker.environment!.AZBACKUP_ENCRYPTION_KEY!, /^\$\{AZBACKUP_ENCRYPTION_KEY:\?/);
    const secretFields = new Set(['connectionString', 'accountKey', 'sasToken', 'key', 'token', 'clientSecret']);
    const walk = (node: unknown, path: string): void => {
      if (typeof node !== 'object' || node === null) return;
      for (const [k, v] of Object.entries(node)) {
        assert.ok(!secretFields.has(k), `${configFile} sets ${path}${k}`);
        walk(v, `${path}${k}.`);
      }
    };
    walk(rawConfig(), '');
    for (const ignore of ['.gitignore', '.dockerignore']) assert.match(read(ignore), /^\.env$/m, `${ignore} has .env`);
  });

  it('builds the worker image non-root, from production dependencies, with the prebuilt workflow bundle', () => {
    const dockerfile = read('Dockerfile');
    const stages = dockerfile.split(/^(?=FROM )/m).slice(1);
    const stage = (name: string) => stages.find((s) => new RegExp(`^FROM \\S+ AS ${name}$`, 'm').test(s))!;
    assert.equal(worker.build?.target, 'worker');
    assert.equal(stages.at(-1), stage('worker'), 'the worker is the default (last) stage');
    const image = stage('worker');
    assert.match(image, /^COPY --from=build \/app\/node_modules \.\/node_modules$/m);
    assert.match(image, /^COPY --from=build \/app\/dist \.\/dist$/m);
    assert.ok(image.indexOf('\nUSER node\n') > 0 && image.indexOf('\nUSER node\n') < image.indexOf('\nCMD '));
    assert.match(stage('build'), /^RUN npm run bundle && npm prune --omit=dev$/m);
    const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    assert.ok(pkg.scripts.bundle, 'package.json has the bundle script the build runs');
    const standin = stage('standin');
    assert.equal(services['adf-standin']!.build?.target, 'standin');
    assert.ok(standin.indexOf('\nUSER node\n') > 0);
  });

  it("checks the worker's health on its metrics port", () => {
    const { port } = workerConfig().worker.metrics!;
    assert.match(String(worker.healthcheck?.test), new RegExp(`127\\.0\\.0\\.1:${port}/metrics`));
    assert.ok(worker.ports?.includes(`${port}:${port}`));
  });

  it('runs the worker from the path tsc emits for src/workers/main.ts, with the launch settings', () => {
    const tsconfig = JSON.parse(read('tsconfig.json')) as { compilerOptions: { outDir: string } };
    const build = JSON.parse(read('tsconfig.build.json')) as { compilerOptions: { rootDir: string } };
    assert.equal(build.compilerOptions.rootDir, '.');
    const emitted = `${tsconfig.compilerOptions.outDir}/src/workers/main.js`;
    assert.match(read('Dockerfile'), new RegExp(`CMD \\["node", "${emitted.replace(/\//g, '\\/')}"\\]`));
    // The launch settings (src/workers/launch-settings.ts), as environment a deployment can change.
    const env = [...Object.entries(WORKER_ENV), ['NODE_OPTIONS', WORKER_NODE_FLAGS.join(' ')]];
    const line = /^ENV (MALLOC_ARENA_MAX=.*)$/m.exec(read('Dockerfile'))?.[1] ?? '';
    assert.equal(line, env.map(([name, value]) => `${name}=${value}`).join(' '));
  });
});
