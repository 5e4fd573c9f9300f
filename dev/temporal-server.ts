// The Temporal dev server of the local stack: `temporal server start-dev` with its web UI and our
// search attributes, in memory (tests) or in a data file (dev), ready only when a client can use it.
import { Connection } from '@temporalio/client';
import { SearchAttributeType } from '@temporalio/common';
import { join } from 'node:path';
import { AZBACKUP_SEARCH_ATTRIBUTES } from '../src/workflows/search-attributes';
import { ManagedProcess } from './managed-process';
import { canConnect } from './ports';
import { ensureTemporalCli } from './temporal-cli';

export interface TemporalServerOptions {
  port: number;
  uiPort: number;
  namespace: string;
  /** SQLite file for state that survives restarts; in memory when absent. */
  dbFile?: string;
  logDir: string;
  /** How long a cold 2-core machine may take to become ready. */
  readyTimeoutInMs?: number;
  log?: (message: string) => void;
}

export interface RunningTemporal {
  address: string;
  namespace: string;
  uiUrl: string;
  /** The CLI binary, for `temporal workflow list --address ...`; undefined when the SDK downloaded it. */
  cliPath: string | undefined;
  process: ManagedProcess | undefined;
  stop(): Promise<void>;
}

const CLI_TYPES: Record<string, string> = {
  [SearchAttributeType.KEYWORD]: 'Keyword',
  [SearchAttributeType.TEXT]: 'Text',
  [SearchAttributeType.INT]: 'Int',
  [SearchAttributeType.DOUBLE]: 'Double',
  [SearchAttributeType.BOOL]: 'Bool',
  [SearchAttributeType.DATETIME]: 'Datetime',
  [SearchAttributeType.KEYWORD_LIST]: 'KeywordList',
};

export async function startTemporalServer(options: TemporalServerOptions): Promise<RunningTemporal> {
  const log = options.log ?? (() => {});
  const cli = await ensureTemporalCli({ log });
  const address = `127.0.0.1:${options.port}`;
  const uiUrl = `http://127.0.0.1:${options.uiPort}`;
  if (cli.kind === 'sdk-download') return startThroughSdk(options, address, uiUrl);

  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(options.port)];
  args.push('--ui-port', String(options.uiPort), '--namespace', options.namespace, '--log-level', 'warn');
  for (const key of AZBACKUP_SEARCH_ATTRIBUTES) args.push('--search-attribute', `${key.name}=${CLI_TYPES[key.type]}`);
  if (options.dbFile) args.push('--db-filename', options.dbFile);
  const proc = new ManagedProcess({
    name: 'Temporal dev server',
    command: cli.path,
    args,
    logFile: join(options.logDir, 'temporal.log'),
  });
  try {
    await waitUntilReady(proc, address, options);
  } catch (err) {
    await proc.stop();
    throw err;
  }
  return { address, namespace: options.namespace, uiUrl, cliPath: cli.path, process: proc, stop: () => proc.stop() };
}

async function waitUntilReady(proc: ManagedProcess, address: string, options: TemporalServerOptions): Promise<void> {
  const deadline = Date.now() + (options.readyTimeoutInMs ?? 120_000);
  let lastError = 'no answer yet';
  while (Date.now() < deadline) {
    if (proc.hasExited) throw new Error(proc.describeExit());
    try {
      const connection = await Connection.connect({ address, connectTimeout: 2_000 });
      try {
        await connection.workflowService.describeNamespace({ namespace: options.namespace });
      } finally {
        await connection.close();
      }
      if (await canConnect(options.uiPort)) return;
      lastError = `the web UI does not answer on port ${options.uiPort}`;
    } catch (err) {
      lastError = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(
    `Temporal dev server did not become ready within ${Math.round((options.readyTimeoutInMs ?? 120_000) / 1000)} s ` +
      `(last check: ${lastError}). Last lines of its log:\n${proc.logTail()}`,
  );
}

/** Fallback with neither a binary nor Go: the SDK downloads the CLI (needs temporal.download access). */
async function startThroughSdk(
  options: TemporalServerOptions,
  address: string,
  uiUrl: string,
): Promise<RunningTemporal> {
  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  try {
    const env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'cached-download' },
        ip: '127.0.0.1',
        port: options.port,
        ui: true,
        uiPort: options.uiPort,
        namespace: options.namespace,
        dbFilename: options.dbFile,
        searchAttributes: AZBACKUP_SEARCH_ATTRIBUTES,
      },
    });
    return {
      address,
      namespace: options.namespace,
      uiUrl,
      cliPath: undefined,
      process: undefined,
      stop: () => env.teardown(),
    };
  } catch (err) {
    throw new Error(
      'No temporal CLI is available and the Temporal SDK could not download one ' +
        `(${(err as Error).message.split('\n')[0]}). Install one of:\n` +
        '  - Go >= 1.25 (https://go.dev/dl/): the stack then builds the CLI itself on first start;\n' +
        '  - the temporal CLI (https://docs.temporal.io/cli#install), on PATH or named by TEMPORAL_CLI=/path/to/temporal.',
    );
  }
}
