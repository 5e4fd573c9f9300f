// The azbackup CLI as a user runs it: a child process reading the stack's config file.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { seedBlobs } from '../../dev/seed';
import { download } from '../support/catalog';
import { backupContainer } from '../../src/workflows/backup-container';
import { startTestWorker, uniqueName, type TestWorker } from '../support/stack';
import { cli } from '../support/cli';

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

  describe('catalog, restore, retention and drill commands', () => {
    const container = uniqueName('clir');
    const bk = uniqueName('bk');
    const runKeys: string[] = [];
    const bytesCopied: number[] = [];
    const at = () => ['--backup', 'backup', '--source', 'source', '--container', container, '--backup-container', bk];
    const started = () => ['--task-queue', w.taskQueue, '--wait'];
    before(async () => {
      const src = w.connections.blob('source').service.getContainerClient(container);
      await seedBlobs(src, { count: 12 });
      for (let run = 0; run < 2; run++) {
        if (run) await src.getBlockBlobClient('item-000003.json').upload('changed', 7);
        const r = await w.client.workflow.execute(backupContainer, {
          taskQueue: w.taskQueue,
          workflowId: uniqueName('wf-clir'),
          args: [{ source: 'source', container, backup: 'backup', backupContainer: bk }],
        });
        runKeys.push(r.runKey);
        bytesCopied.push(r.bytesCopied);
      }
    });

    it('runs lists the committed runs; ls shows a run, by prefix', async () => {
      const runs = await cli(['runs', ...at()]);
      assert.equal(runs.code, 0, runs.out);
      assert.match(runs.out, /items +copied +bytes copied +bytes held +deleted +verified/);
      const first = await cli(['ls', ...at(), '--run', runKeys[0]!, '--json']);
      const entries = first.out
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { name: string; size: number });
      const sizes = entries.map((e) => e.size);
      assert.equal(
        bytesCopied[0],
        sizes.reduce((a, b) => a + b, 0),
        'the first run copied all 12 blobs',
      );
      assert.equal(bytesCopied[1], 7, 'the second run copied one changed 7-byte blob');
      // Both runs hold all 12 blobs: the second one with item-000003 at its new 7 bytes.
      const held0 = bytesCopied[0]!;
      const held1 = held0 - entries.find((e) => e.name === 'item-000003.json')!.size + 7;
      // items, copied, bytes copied, bytes held, deleted, verified: the first run copied all 12, the second one.
      [held0, held1].forEach((held, i) =>
        assert.match(runs.out, new RegExp(`${runKeys[i]} .* 12 +${i ? 1 : 12} +${bytesCopied[i]} +${held} +0  yes`)),
      );
      const json = JSON.parse((await cli(['runs', ...at(), '--json'])).out) as {
        bytesCopied: number;
        bytesHeld: number;
      }[];
      assert.deepEqual(
        json.map((r) => [r.bytesCopied, r.bytesHeld]),
        [
          [bytesCopied[0], held0],
          [bytesCopied[1], held1],
        ],
      );
      const ls = await cli(['ls', ...at(), '--run', runKeys[0]!, '--prefix', 'item-00001']);
      assert.equal(ls.code, 0, ls.out);
      assert.match(ls.out, new RegExp(`Run ${runKeys[0]}`));
      assert.deepEqual(ls.out.match(/item-\d+\.json/g), ['item-000010.json', 'item-000011.json']);
      const item = await cli(['ls', ...at(), '--prefix', 'item-000003', '--json']);
      assert.equal(JSON.parse(item.out.trim()).size, 7, 'the latest run holds the changed blob');
    });

    it('restore --wait restores a run into another container and prints the counts', async () => {
      const to = uniqueName('to');
      const { code, out } = await cli(['restore', ...at(), '--run', runKeys[0]!, '--to', `backup/${to}`, ...started()]);
      assert.equal(code, 0, out);
      assert.match(out, new RegExp(`Started restore-backup-${to}`));
      assert.match(
        out,
        new RegExp(`Done: run ${runKeys[0]} \\(started .*\\), 12 matched, 12 restored, 0 skipped, 0 failed`),
      );
      const restored = w.connections.blob('backup').service.getContainerClient(to);
      assert.notEqual((await download(restored.getBlobClient('item-000003.json'))).toString(), 'changed');
    });

    it('drill --wait passes on a good backup', async () => {
      const { code, out } = await cli(['drill', ...at(), '--count', '5', '--seed', '7', ...started()]);
      assert.equal(code, 0, out);
      assert.match(out, new RegExp(`Drill passed: run ${runKeys[1]}, seed 7: 5 sampled, 5 restored, 5 checked`));
    });

    it('retention --wait forgets the older run and collects the version only it referenced', async () => {
      const args = ['retention', ...at(), '--keep-last', '1', '--grace-period-seconds', '5', ...started()];
      const { code, out } = await cli(args);
      assert.equal(code, 0, out);
      assert.match(
        out,
        new RegExp(`Done: 1 runs kept, 1 removed \\(${runKeys[0]}\\); 1 objects unreferenced, 1 deleted`),
      );
      const runs = await cli(['runs', ...at(), '--json']);
      assert.deepEqual(
        JSON.parse(runs.out).map((r: { runKey: string }) => r.runKey),
        [runKeys[1]],
      );
    });

    it('names the bad flag, or the bad workflow input field, with a usage error', async () => {
      const to = await cli(['restore', ...at(), '--to', 'no-container']);
      assert.equal(to.code, 2, to.out);
      assert.match(to.out, /--to must be <connection>\/<container> \(got "no-container"\)/);
      const count = await cli(['retention', ...at(), '--keep-daily', 'seven']);
      assert.equal(count.code, 2, count.out);
      assert.match(count.out, /--keep-daily must be a whole number \(got "seven"\)/);
      const negative = await cli(['retention', ...at(), '--keep-last=-1', ...started()]);
      assert.equal(negative.code, 1, negative.out);
      assert.match(negative.out, /policy\.keepLast.*must be a whole number, 0 or more/);
    });
  });
});
