// The azbackup CLI as a user runs it: a child process reading the stack's config file.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { seedBlobs } from '../../dev/seed';
import { backupContainer } from '../../src/workflows/backup-container';
import { startTestWorker, stackInfo, uniqueName, type TestWorker } from '../support/stack';

const root = join(__dirname, '..', '..');

function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args], {
      cwd: root,
      env: { ...process.env, AZBACKUP_CONFIG: stackInfo().configFile, ...env },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => resolve({ code, out }));
  });
}

describe('azbackup CLI', () => {
  let w: TestWorker;
  before(async () => {
    w = await startTestWorker();
  });
  after(() => w.stop());

  it('config check lists connections and never prints secrets', async () => {
    const { code, out } = await cli(['config', 'check']);
    assert.equal(code, 0, out);
    assert.match(out, /Config OK\./);
    assert.match(out, /connection source: blob/);
    assert.match(out, /connection cosmos: cosmos/);
    assert.doesNotMatch(out, /AccountKey|local-dev-token/);
  });

  it('config check names the bad field', async () => {
    const { code, out } = await cli(['config', 'check'], { AZBACKUP__temporal__address: 'no-port' });
    assert.equal(code, 1);
    assert.match(out, /temporal\.address: must be host:port.*\(got "no-port" from AZBACKUP__temporal__address\)/);
  });

  it('backup --wait runs a backup to the end and prints the counts and the UI link; reconcile finds nothing to do', async () => {
    const container = uniqueName('cli');
    await seedBlobs(w.connections.blob('source').service.getContainerClient(container), { count: 20 });
    const args = ['backup', '--source', 'source', '--container', container, '--backup', 'backup', '--wait'];
    const bk = uniqueName('bk');
    const { code, out } = await cli([...args, '--task-queue', w.taskQueue, '--backup-container', bk]);
    assert.equal(code, 0, out);
    assert.match(out, new RegExp(`Started backup-source-${container}`));
    assert.match(out, /Temporal UI: http:\/\/127\.0\.0\.1:\d+\/namespaces\/default\/workflows\/backup-source-/);
    assert.match(
      out,
      /Done: listed 20, new 20, modified 0, unchanged 0, deleted 0, copied 20, skipped 0, failed 0, \d+ bytes; verified\. Manifest: catalog\//,
    );
    const reconcile = ['reconcile', '--source', 'source', '--container', container, '--backup', 'backup', '--wait'];
    const rec = await cli([...reconcile, '--task-queue', w.taskQueue, '--backup-container', bk]);
    assert.equal(rec.code, 0, rec.out);
    assert.match(rec.out, new RegExp(`Started reconcile-source-${container}`));
    assert.match(rec.out, /Done: listed 20, new 0, modified 0, unchanged 20, deleted 0, copied 0/);
  });

  it('refuses a second backup of the same source while one runs', async () => {
    const workflowId = uniqueName('wf-running');
    // No worker polls this queue, so the first run stays open.
    const idle = uniqueName('tq-idle');
    const handle = await w.client.workflow.start(backupContainer, {
      taskQueue: idle,
      workflowId,
      args: [{ source: 'source', container: 'photos', backup: 'backup' }],
    });
    try {
      const args = ['backup', '--source', 'source', '--container', 'photos', '--backup', 'backup'];
      const { code, out } = await cli([...args, '--workflow-id', workflowId, '--task-queue', idle]);
      assert.equal(code, 4, out);
      assert.match(out, new RegExp(`${workflowId} is already running; watch it with: azbackup progress ${workflowId}`));
    } finally {
      await handle.terminate('test cleanup');
    }
  });
});
