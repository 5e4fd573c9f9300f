// docker-compose.yml cannot run here (no Docker engine), so check what would break it: references
// between services, the worker's config, ports, search attributes, and the Dockerfile's entry point.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { AZURITE_ACCOUNTS } from '../../dev/azurite';
import { loadConfig } from '../../src/config/load';
import { AZBACKUP_SEARCH_ATTRIBUTES } from '../../src/workflows/search-attributes';

const root = join(__dirname, '..', '..');

interface Service {
  image?: string;
  hostname?: string;
  build?: unknown;
  depends_on?: string[] | Record<string, unknown>;
  ports?: string[];
  volumes?: string[];
  environment?: Record<string, string>;
  command?: string[] | string;
}

const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};
const services = compose.services;

describe('docker-compose.yml', () => {
  it('gives every service an image or a build, pinned (no :latest except the emulator, which has no versions)', () => {
    for (const [name, s] of Object.entries(services)) {
      assert.ok(s.image || s.build, `${name} has an image or a build`);
      if (s.image && name !== 'cosmos') assert.doesNotMatch(s.image, /:latest$|^[^:]+$/, `${name} pins its image`);
    }
  });

  it('only depends on services and named volumes that exist', () => {
    for (const [name, s] of Object.entries(services)) {
      const deps = Array.isArray(s.depends_on) ? s.depends_on : Object.keys(s.depends_on ?? {});
      for (const dep of deps) assert.ok(services[dep], `${name} depends on unknown service ${dep}`);
      for (const volume of s.volumes ?? []) {
        const source = volume.split(':')[0]!;
        if (source.startsWith('.')) assert.ok(existsSync(join(root, source)), `${name} mounts missing ${source}`);
        else assert.ok(source in compose.volumes, `${name} uses undeclared volume ${source}`);
      }
    }
  });

  it('publishes each host port once', () => {
    const hostPorts = Object.values(services).flatMap((s) => (s.ports ?? []).map((p) => p.split(':')[0]));
    assert.equal(new Set(hostPorts).size, hostPorts.length);
  });

  it('registers exactly the search attributes the workflows use', () => {
    const script = String(services['temporal-setup']?.command);
    const names = /for name in ([\w ]+); do/.exec(script)?.[1]?.trim().split(/\s+/);
    assert.deepEqual(names?.sort(), AZBACKUP_SEARCH_ATTRIBUTES.map((k) => k.name).sort());
    assert.match(script, /--type Keyword/);
  });

  it('mounts a worker config that loads, whose Azurite keys match the accounts Azurite is given', () => {
    const worker = services.worker!;
    const mount = worker.volumes!.find((v) => v.endsWith(':/config/azbackup.yaml:ro'))!;
    const file = join(root, mount.split(':')[0]!);
    // caFile must be readable at load; inside the worker container the cosmos-cert service wrote it.
    const raw = parse(readFileSync(file, 'utf8')) as { connections: { cosmos: { caFile: string } } };
    const caFile = join(mkdtempSync(join(tmpdir(), 'azb-compose-')), 'cosmos-emulator.pem');
    writeFileSync(caFile, '');
    const config = loadConfig({ file, env: { AZBACKUP__connections__cosmos__caFile: caFile } });
    assert.equal(config.temporal.address, 'temporal:7233');
    assert.equal(worker.environment?.AZBACKUP_CONFIG, '/config/azbackup.yaml');
    const accounts = services.azurite!.environment!.AZURITE_ACCOUNTS!;
    for (const name of ['source', 'backup'] as const) {
      assert.ok(accounts.includes(`${name}:${AZURITE_ACCOUNTS[name]}`), `azurite gets the ${name} key`);
      const conn = config.connections[name];
      assert.ok(conn?.kind === 'blob' && conn.connectionString?.includes(`AccountKey=${AZURITE_ACCOUNTS[name]}`));
      assert.match(conn.connectionString!, new RegExp(`BlobEndpoint=http://azurite:10000/${name};`));
    }
    const cosmos = config.connections.cosmos;
    assert.ok(cosmos?.kind === 'cosmos' && raw.connections.cosmos.caFile.startsWith('/certs/'));
    assert.ok(worker.volumes!.includes('certs:/certs:ro'));
    // The emulator's certificate names the container's hostname: unset, Docker picks a random one and
    // the worker's TLS check of https://cosmos:8081 fails.
    assert.equal(services.cosmos!.hostname, new URL(cosmos.endpoint).hostname);
  });

  it('runs the worker from the path tsc emits for src/workers/main.ts', () => {
    const tsconfig = JSON.parse(readFileSync(join(root, 'tsconfig.json'), 'utf8')) as {
      compilerOptions: { outDir: string };
    };
    const build = JSON.parse(readFileSync(join(root, 'tsconfig.build.json'), 'utf8')) as {
      compilerOptions: { rootDir: string };
    };
    assert.equal(build.compilerOptions.rootDir, '.');
    const emitted = `${tsconfig.compilerOptions.outDir}/src/workers/main.js`;
    const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
    assert.match(dockerfile, new RegExp(`CMD \\["node", "${emitted.replace(/\//g, '\\/')}"\\]`));
    assert.match(
      readFileSync(join(root, 'package.json'), 'utf8'),
      new RegExp(`"azbackup": "${tsconfig.compilerOptions.outDir}/src/cli/main.js"`),
    );
  });
});
