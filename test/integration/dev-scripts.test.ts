// The README's scripts as a user runs them, each on its own ports and state directory: `npm run demo`
// backs up its seeded blobs and the server lists the run as Completed; `npm run dev` keeps Temporal and
// Azurite state across a restart; SIGTERM stops either one with every port free again.
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { findFreePorts, isPortFree } from '../../dev/ports';
import { seedBlobs } from '../../dev/seed';
import { loadConfig } from '../../src/config/load';
import { ConnectionRegistry } from '../../src/storage/connections';
import { backupContainer } from '../../src/workflows/backup-container';
import { stackInfo } from '../support/stack';

const root = join(__dirname, '..', '..');
const PORT_ENV = [
  'AZBACKUP_TEMPORAL_PORT',
  'AZBACKUP_TEMPORAL_UI_PORT',
  'AZBACKUP_AZURITE_PORT',
  'AZBACKUP_COSMOS_PORT',
  'AZBACKUP_MONGO_PORT',
  'AZBACKUP_ADF_PORT',
];

interface Script {
  child: ChildProcess;
  output(): string;
  /** Resolves once the output matches, rejects if the script exits first or the deadline passes. */
  waitFor(pattern: RegExp, timeoutInMs?: number): Promise<RegExpMatchArray>;
  /** SIGTERM, then the exit code (SIGKILL after 60 s, so a hung script cannot hang the suite). */
  terminate(): Promise<number | null>;
}

function runScript(script: string, args: string[], env: NodeJS.ProcessEnv): Script {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'dev', script), ...args], {
    cwd: root,
    env: { ...process.env, TEMPORAL_CLI: stackInfo().temporalCli, ...env },
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return {
    child,
    output: () => out,
    async waitFor(pattern, timeoutInMs = 240_000) {
      const deadline = Date.now() + timeoutInMs;
      for (;;) {
        const match = out.match(pattern);
        if (match) return match;
        if (child.exitCode !== null) assert.fail(`${script} exited with ${child.exitCode} before ${pattern}:\n${out}`);
        if (Date.now() > deadline) assert.fail(`${script} did not print ${pattern} in time:\n${out}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    },
    async terminate() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

async function portEnv(): Promise<{ env: NodeJS.ProcessEnv; ports: number[] }> {
  const ports = await findFreePorts(PORT_ENV.length);
  return { env: Object.fromEntries(PORT_ENV.map((name, i) => [name, String(ports[i])])), ports };
}

async function assertAllFree(ports: number[], after: string): Promise<void> {
  for (const port of ports) assert.equal(await isPortFree(port), true, `port ${port} still taken after ${after}`);
}

describe('README scripts', () => {
  it('npm run demo -- --keep: backs up the seeded blobs, the server lists the run Completed, the UI has it', async () => {
    const { env, ports } = await portEnv();
    const demo = runScript('demo.ts', ['--keep'], {
      ...env,
      AZBACKUP_DEV_DIR: mkdtempSync(join(tmpdir(), 'azb-demo-')),
    });
    try {
      await demo.waitFor(/--keep: the stack and the worker keep running/);
      const out = demo.output();
      assert.match(out, /listed 300, snapshotted 300, copied 300, skipped 0, failed 0, .*every copy verified/);
      assert.match(out, /Copies now in backup\/azbackup: 300/);
      const workflowId = out.match(/Workflow id: +(\S+)/)![1]!;
      // The demo's own listing, and the server asked again by the test.
      assert.match(out, new RegExp(`Completed +${workflowId}`));
      const { stdout } = await promisify(execFile)(stackInfo().temporalCli!, [
        'workflow',
        'describe',
        '--workflow-id',
        workflowId,
        '--address',
        `127.0.0.1:${ports[0]}`,
        '--output',
        'json',
      ]);
      assert.equal(JSON.parse(stdout).workflowExecutionInfo.status, 'WORKFLOW_EXECUTION_STATUS_COMPLETED');
      // The printed UI link is served, and the UI's API (what its pages read) knows the run as completed.
      const link = out.match(/Temporal UI: +(\S+)/)![1]!;
      assert.equal(link, `http://127.0.0.1:${ports[1]}/namespaces/default/workflows/${workflowId}`);
      const page = await fetch(link);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /<html/i);
      const api = await fetch(`http://127.0.0.1:${ports[1]}/api/v1/namespaces/default/workflows/${workflowId}`);
      assert.equal(api.status, 200);
      assert.match(await api.text(), /WORKFLOW_EXECUTION_STATUS_COMPLETED/);
    } finally {
      assert.equal(await demo.terminate(), 130, demo.output());
    }
    await assertAllFree(ports, 'the demo was stopped');
  });

  it('npm run dev: keeps Temporal history, blobs and the catalog across a restart; SIGTERM frees every port', async () => {
    const { env, ports } = await portEnv();
    const devDir = mkdtempSync(join(tmpdir(), 'azb-dev-'));
    const container = 'persisted';
    const workflowId = 'dev-backup-persisted';
    const withStack = async <T>(fn: (client: Client, connections: ConnectionRegistry) => Promise<T>): Promise<T> => {
      const dev = runScript('dev.ts', [], { ...env, AZBACKUP_DEV_DIR: devDir });
      try {
        await dev.waitFor(/Ctrl-C stops everything/);
        const config = loadConfig({ file: join(devDir, 'data', 'azbackup.local.yaml'), env: {} });
        const connections = new ConnectionRegistry(config.connections);
        const connection = await Connection.connect({ address: config.temporal.address });
        try {
          return await fn(new Client({ connection, namespace: config.temporal.namespace }), connections);
        } finally {
          await connection.close();
          connections.close();
        }
      } finally {
        assert.equal(await dev.terminate(), 0, dev.output());
        await assertAllFree(ports, 'npm run dev was stopped');
      }
    };
    const backup = (client: Client, id: string) =>
      client.workflow.execute(backupContainer, {
        taskQueue: 'azbackup', // the dev stack's own worker
        workflowId: id,
        args: [{ source: 'source', container, backup: 'backup' }],
      });

    const first = await withStack(async (client, connections) => {
      await seedBlobs(connections.blob('source').service.getContainerClient(container), { count: 5 });
      return backup(client, workflowId);
    });
    assert.deepEqual([first.copied, first.verified], [5, true]);

    await withStack(async (client, connections) => {
      const described = await client.workflow.getHandle(workflowId).describe();
      assert.equal(described.status.name, 'COMPLETED', 'the first run is still in Temporal after the restart');
      let blobs = 0;
      for await (const _ of connections.blob('source').service.getContainerClient(container).listBlobsFlat()) blobs++;
      assert.equal(blobs, 5, 'the seeded blobs are still in Azurite after the restart');
      const second = await backup(client, `${workflowId}-again`);
      assert.deepEqual([second.copied, second.unchanged], [0, 5], 'the catalog survived: nothing to copy');
    });
  });
});
