// The compiled build (what the Docker image runs): tsc output and the prebuilt workflow bundle start a worker,
// with the launch settings the image uses, that runs a backup, and drains and exits cleanly on SIGTERM.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { seedBlobs } from '../../dev/seed';
import { WORKER_ENV, WORKER_NODE_FLAGS } from '../../src/workers/launch-settings';
import { backupContainer } from '../../src/workflows/backup-container';
import { ensureCompiledBuild } from '../support/compiled-build';
import { startTestWorker, stackInfo, uniqueName } from '../support/stack';

const root = join(__dirname, '..', '..');

describe('compiled build', () => {
  it('compiles, runs a backup on the compiled worker, and stops on SIGTERM', async () => {
    const outDir = await ensureCompiledBuild(stackInfo().dataDir);
    const taskQueue = uniqueName('tq-compiled');
    const worker = spawn(process.execPath, [...WORKER_NODE_FLAGS, join(outDir, 'src/workers/main.js')], {
      cwd: root,
      env: {
        ...process.env,
        ...WORKER_ENV,
        AZBACKUP_CONFIG: stackInfo().configFile,
        AZBACKUP__temporal__taskQueue: taskQueue,
      },
    });
    let out = '';
    worker.stdout.on('data', (d) => (out += d));
    worker.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => worker.on('close', resolve));
    // A client and blob access only; the backup itself runs on the compiled worker's queue.
    const helper = await startTestWorker();
    try {
      const deadline = Date.now() + 60_000;
      while (!out.includes('azbackup worker polling') && Date.now() < deadline) {
        assert.equal(worker.exitCode, null, `compiled worker exited early:\n${out}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      assert.match(out, /azbackup worker polling task queue/);
      assert.match(out, /using the prebuilt workflow bundle/);
      assert.doesNotMatch(out, /started without/, 'started with every launch setting');
      const container = uniqueName('compiled');
      await seedBlobs(helper.connections.blob('source').service.getContainerClient(container), { count: 10 });
      const result = await helper.client.workflow.execute(backupContainer, {
        taskQueue,
        workflowId: uniqueName('wf-compiled'),
        args: [{ source: 'source', container, backup: 'backup', backupContainer: uniqueName('bk') }],
      });
      assert.equal(result.copied, 10);
      worker.kill('SIGTERM');
      assert.equal(await exited, 0, out);
      assert.match(out, /azbackup worker stopped\./);
    } finally {
      worker.kill('SIGKILL');
      await helper.stop();
    }
  });
});
