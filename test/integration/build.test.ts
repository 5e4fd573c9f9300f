// The compiled build (what the Docker image runs): tsc output starts a worker that bundles the compiled
// workflows, runs a backup, and drains and exits cleanly on SIGTERM.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { seedBlobs } from '../../dev/seed';
import { backupContainer } from '../../src/workflows/backup-container';
import { startTestWorker, stackInfo, uniqueName } from '../support/stack';

const root = join(__dirname, '..', '..');

describe('compiled build', () => {
  it('compiles, runs a backup on the compiled worker, and stops on SIGTERM', async () => {
    // Inside the repo (git-ignored) so that compiled files resolve node_modules like dist/ does.
    const outDir = join(root, '.azbackup-dev', `build-test-${process.pid}`);
    rmSync(outDir, { recursive: true, force: true });
    execFileSync(
      process.execPath,
      [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', outDir],
      {
        cwd: root,
      },
    );
    const taskQueue = uniqueName('tq-compiled');
    const worker = spawn(process.execPath, [join(outDir, 'src/workers/main.js')], {
      cwd: root,
      env: { ...process.env, AZBACKUP_CONFIG: stackInfo().configFile, AZBACKUP__temporal__taskQueue: taskQueue },
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
      rmSync(outDir, { recursive: true, force: true });
    }
  });
});
