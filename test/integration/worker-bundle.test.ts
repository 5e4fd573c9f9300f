// The production worker as the Docker image runs it: `npm run bundle` compiles and bundles the workflows
// once, the compiled worker (node dist/src/workers/main.js) says it loads that bundle instead of bundling
// at start, runs a real backup on the stack with it, and stops cleanly on SIGTERM.
import { Client, Connection } from '@temporalio/client';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { seedBlobs } from '../../dev/seed';
import { startWorkerProcess } from '../../dev/worker-process';
import { ConnectionRegistry } from '../../src/storage/connections';
import { backupContainer } from '../../src/workflows/backup-container';
import { stackConfig, stackInfo, uniqueName } from '../support/stack';

const root = join(__dirname, '..', '..');

describe('prebuilt workflow bundle (npm run bundle)', () => {
  it('is what the compiled worker runs a backup with', { timeout: 600_000 }, async () => {
    const built = spawnSync('npm', ['run', 'bundle'], { cwd: root, encoding: 'utf8' });
    assert.equal(built.status, 0, built.stdout + built.stderr);
    const bundle = join(root, 'dist', 'workflow-bundle.js');
    assert.ok(statSync(bundle).size > 100_000, 'the bundle holds the workflows and their dependencies');

    const logFile = join(mkdtempSync(join(tmpdir(), 'azb-bundle-')), 'worker.log');
    const taskQueue = uniqueName('tq-bundle');
    const worker = await startWorkerProcess({ configFile: stackInfo().configFile, logFile, taskQueue, compiled: true });
    const config = stackConfig();
    const connections = new ConnectionRegistry(config.connections);
    const connection = await Connection.connect({ address: config.temporal.address });
    try {
      assert.ok(readFileSync(logFile, 'utf8').includes(`using the prebuilt workflow bundle ${bundle}`));
      const container = uniqueName('bundled');
      const seeded = await seedBlobs(connections.blob('source').service.getContainerClient(container), { count: 12 });
      const client = new Client({ connection, namespace: config.temporal.namespace });
      const result = await client.workflow.execute(backupContainer, {
        taskQueue,
        workflowId: uniqueName('bundle-backup'),
        args: [{ source: 'source', container, backup: 'backup', backupContainer: uniqueName('azb') }],
      });
      assert.equal(result.copied, seeded.length);
      assert.equal(result.verified, true);
      assert.equal(result.failed, 0);
    } finally {
      await connection.close();
      connections.close();
      worker.kill('SIGTERM');
      await worker.waitForExit();
    }
    assert.match(worker.describeExit(), /exit code 0/);
    assert.match(readFileSync(logFile, 'utf8'), /azbackup worker stopped\./);
  });
});
