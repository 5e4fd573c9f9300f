// For tests: the stand-in's /azbackup-test/ control route over HTTPS (faults, release, what it was asked),
// and a stand-in started in-process on a free port with a config file of its own (the stack's connections
// plus any a test adds, e.g. a Mongo server it started), so a test file does not depend on how the stack
// started its stand-in.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConfigInput } from '../../src/config/schema';
import { startAdfStandin, type AdfStandin } from './server';
import type { FactoryStats, FaultRequest } from './test-control';

export interface StandinControl {
  fault(factory: string, fault: FaultRequest): Promise<void>;
  release(factory: string): Promise<number>;
  stats(factory: string): Promise<FactoryStats>;
  reset(factory: string): Promise<void>;
}

export function standinControl(url: string, ca: string | Buffer): StandinControl {
  const call = (method: string, path: string, body?: unknown) =>
    new Promise<unknown>((resolve, reject) => {
      const text = body === undefined ? '' : JSON.stringify(body);
      const req = request(
        new URL(path, url),
        { method, ca, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) } },
        (res) => {
          let data = '';
          res.on('data', (d) => (data += d));
          res.on('end', () => {
            if ((res.statusCode ?? 500) >= 300) reject(new Error(`${method} ${path}: ${res.statusCode} ${data}`));
            else resolve(data ? JSON.parse(data) : undefined);
          });
        },
      );
      req.on('error', reject);
      req.end(text);
    });
  const at = (factory: string, action: string) => `/azbackup-test/factories/${encodeURIComponent(factory)}/${action}`;
  return {
    fault: async (factory, fault) => void (await call('POST', at(factory, 'faults'), fault)),
    release: async (factory) => ((await call('POST', at(factory, 'release'))) as { released: number }).released,
    stats: async (factory) => (await call('GET', at(factory, 'stats'))) as FactoryStats,
    reset: async (factory) => void (await call('POST', at(factory, 'reset'))),
  };
}

export interface LocalStandin extends AdfStandin {
  control: StandinControl;
  /** The config file it copies with (the stack's connections and the extra ones). */
  configFile: string;
}

export interface LocalStandinOptions {
  /** The stack's config (its connections are where copies go). */
  config: ConfigInput;
  /** The stack's CA: its certificate and key serve the stand-in too. */
  caFile: string;
  extraConnections?: ConfigInput['connections'];
  queuedForMs?: number;
  inProgressForMs?: number;
}

export async function startLocalStandin(options: LocalStandinOptions): Promise<LocalStandin> {
  const dir = mkdtempSync(join(tmpdir(), 'azb-adf-standin-'));
  const configFile = join(dir, 'azbackup.json');
  const config = { ...options.config, connections: { ...options.config.connections, ...options.extraConnections } };
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  const ca = readFileSync(options.caFile, 'utf8');
  const standin = await startAdfStandin({
    port: 0,
    cert: ca,
    key: readFileSync(options.caFile.replace(/local-ca\.pem$/, 'local-ca.key'), 'utf8'),
    configFile,
    queuedForMs: options.queuedForMs ?? 50,
    inProgressForMs: options.inProgressForMs ?? 0,
  });
  return {
    ...standin,
    configFile,
    control: standinControl(standin.url, ca),
    close: async () => {
      await standin.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
