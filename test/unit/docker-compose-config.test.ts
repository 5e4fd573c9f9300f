// docker-compose.yml as `docker compose config` resolves it, without a Docker engine: dev/compose-check
// runs compose-go (the loader docker compose uses: the compose schema, ${…} interpolation, env_file
// parsing) and the worker's config must load from exactly the environment compose would give it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { AZURITE_ACCOUNTS } from '../../dev/azurite';
import { loadConfig } from '../../src/config/load';

const root = join(__dirname, '..', '..');

interface ResolvedService {
  environment?: Record<string, string>;
  build?: { target?: string; args?: Record<string, string> };
  depends_on?: Record<string, { condition: string }>;
}

/** `docker compose config` with the given .env file and extra variables (no inherited AZBACKUP_* or NODE_VERSION). */
function composeConfig(dotEnv: string, env: NodeJS.ProcessEnv = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'azb-compose-config-'));
  writeFileSync(join(dir, '.env'), dotEnv);
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('AZBACKUP') && k !== 'NODE_VERSION'),
  );
  const result = spawnSync('go', ['run', '.', '--env-file', join(dir, '.env'), join(root, 'docker-compose.yml')], {
    cwd: join(root, 'dev', 'compose-check'),
    env: { ...inherited, ...env, GOTOOLCHAIN: 'local', GOWORK: 'off' },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error)
    throw new Error(`go run dev/compose-check: ${result.error.message} (Go is needed, as for FerretDB)`);
  return result;
}

describe('docker compose config (compose-go)', { timeout: 600_000 }, () => {
  it('refuses to start without the encryption key, naming it', () => {
    const result = composeConfig('');
    assert.notEqual(result.status, 0);
    assert.match(result.stderr, /required variable AZBACKUP_ENCRYPTION_KEY is missing a value/);
  });

  it("resolves, and the worker's config loads from the environment compose gives it", () => {
    const key = randomBytes(32).toString('base64');
    const result = composeConfig(`AZBACKUP_ENCRYPTION_KEY=${key}\n`);
    assert.equal(result.status, 0, result.stderr);
    const project = JSON.parse(result.stdout) as { services: Record<string, ResolvedService> };
    const { worker, azurite, 'adf-standin': standin } = project.services;
    assert.ok(worker && azurite && standin);
    const environment = worker.environment!;
    assert.equal(environment.AZBACKUP_ENCRYPTION_KEY, key);
    const pem = join(mkdtempSync(join(tmpdir(), 'azb-compose-ca-')), 'ca.pem');
    writeFileSync(pem, '');
    const config = loadConfig({
      file: join(root, 'docker', 'azbackup.compose.yaml'),
      env: { ...environment, AZBACKUP__connections__cosmos__caFile: pem, AZBACKUP__connections__adf__caFile: pem },
    });
    const source = config.connections.source;
    assert.ok(source?.kind === 'blob');
    // Base64 keys end in '=': compose's env_file parser must hand them over whole.
    assert.equal(source.accountKey, AZURITE_ACCOUNTS.source);
    assert.equal(
      azurite.environment?.AZURITE_ACCOUNTS,
      Object.entries(AZURITE_ACCOUNTS)
        .map(([name, k]) => `${name}:${k}`)
        .join(';'),
    );
    for (const [name, value] of Object.entries(environment)) {
      if (name.startsWith('AZBACKUP__')) assert.equal(standin.environment?.[name], value, `the stand-in's ${name}`);
    }
    assert.equal(worker.build?.target, 'worker');
    assert.equal(worker.build?.args?.NODE_VERSION, '24');
    assert.equal(worker.depends_on?.['adf-standin']?.condition, 'service_healthy');
  });

  it('builds on Node 22 when NODE_VERSION says so', () => {
    const result = composeConfig(`AZBACKUP_ENCRYPTION_KEY=${randomBytes(32).toString('base64')}\n`, {
      NODE_VERSION: '22',
    });
    assert.equal(result.status, 0, result.stderr);
    const project = JSON.parse(result.stdout) as { services: Record<string, ResolvedService> };
    assert.equal(project.services.worker?.build?.args?.NODE_VERSION, '22');
    assert.equal(project.services['adf-standin']?.build?.args?.NODE_VERSION, '22');
  });
});
