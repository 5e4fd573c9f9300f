// Soak files start their own stack (one file's 20,000 blobs must not slow the next file's requests),
// hand it to the test/support helpers through $AZBACKUP_TEST_STACK like `npm test` does, and record the
// figures `npm run test:soak` prints at the end (and the README quotes).
import { Client, Connection } from '@temporalio/client';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { startStack, type LocalStack } from '../../dev/stack';
import { parseConfig } from '../../src/config/load';
import { ConnectionRegistry } from '../../src/storage/connections';
import type { TestStackInfo } from '../support/stack-info';

export interface SoakStack {
  readonly stack: LocalStack;
  readonly info: TestStackInfo;
  /** A Temporal client of the test itself. */
  readonly client: Client;
  /** Clients without any fault layer, for checking what the service really holds. */
  readonly clean: ConnectionRegistry;
}

/** Registers `before`/`after` hooks that start and stop the file's own stack. */
export function useSoakStack(options: { persistent?: boolean } = {}): SoakStack {
  let state: {
    stack: LocalStack;
    info: TestStackInfo;
    client: Client;
    connection: Connection;
    clean: ConnectionRegistry;
  };
  let dataDir: string | undefined;
  before(async () => {
    const bundle = process.env.AZBACKUP_SOAK_BUNDLE;
    if (!bundle) throw new Error('AZBACKUP_SOAK_BUNDLE is not set: run the soak tests through `npm run test:soak`');
    dataDir = mkdtempSync(join(tmpdir(), 'azbackup-soak-'));
    const stack = await startStack({ dataDir, ports: 'random', persistent: options.persistent });
    const info: TestStackInfo = {
      config: stack.config,
      configFile: stack.configFile,
      ports: stack.ports,
      temporalCli: stack.temporal.cliPath,
      workflowBundlePath: bundle,
      dataDir,
    };
    const infoFile = join(dataDir, 'stack.json');
    writeFileSync(infoFile, JSON.stringify(info, null, 2));
    process.env.AZBACKUP_TEST_STACK = infoFile;
    const connection = await Connection.connect({ address: stack.config.temporal!.address });
    const client = new Client({ connection, namespace: stack.config.temporal!.namespace });
    state = { stack, info, client, connection, clean: new ConnectionRegistry(parseConfig(stack.config).connections) };
  });
  after(async () => {
    await state?.connection.close();
    await state?.stack.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });
  const get = () => {
    if (!state) throw new Error('the soak stack is used before its before() hook ran');
    return state;
  };
  return {
    get stack() {
      return get().stack;
    },
    get info() {
      return get().info;
    },
    get client() {
      return get().client;
    },
    get clean() {
      return get().clean;
    },
  };
}

export interface SoakFigures {
  /** The test, as the summary names it. */
  test: string;
  /** One readable line of its figures. */
  summary: string;
  /** The same figures as data. */
  figures: Record<string, unknown>;
}

/** Appends a test's figures to the file the soak runner prints and saves after the suite. */
export function recordFigures(figures: SoakFigures): void {
  const file = process.env.AZBACKUP_SOAK_FIGURES;
  if (file) appendFileSync(file, JSON.stringify(figures) + '\n');
  console.log(`[soak] ${figures.test}: ${figures.summary}`);
}

/** The seed of this suite's random choices: $AZBACKUP_SOAK_SEED replays a run. */
export function soakSeed(): number {
  const fromEnv = Number(process.env.AZBACKUP_SOAK_SEED);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : Math.floor(Math.random() * 2 ** 31) + 1;
}

export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
