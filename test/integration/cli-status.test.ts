// The CLI paths a user watches a run with: `azbackup progress` and `status` inside a page (a run held
// after 5 of 20 copies), `status --watch` to the end, exit code 3 for a run that is not verified,
// `--account` for a source named by its storage account, --json, --help, and one-line errors.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { seedBlobs } from '../../dev/seed';
import { pagesInFlight } from '../../src/cli/live-progress';
import { copyInto, corruptCopies, holdAfter } from '../support/faults';
import { cli } from '../support/cli';
import { startTestWorker, uniqueName, type TestWorker } from '../support/stack';
import { until } from '../support/worker-process';

const heldBk = uniqueName('bk-hold');
const corruptBk = uniqueName('bk-bad');
const hold = holdAfter(copyInto(heldBk), 5);

describe('azbackup progress, status, exit codes and --account', () => {
  let w: TestWorker;
  before(async () => {
    w = await startTestWorker({
      connectionOptions: {
        decorators: (name) =>
          name === 'backup'
            ? [
                hold.decorator,
                corruptCopies(corruptBk, 'flip-byte', (blob) =>
                  w.connections.blob('backup').service.getContainerClient(corruptBk).getBlockBlobClient(blob),
                ),
              ]
            : [],
      },
    });
  });
  after(() => w?.stop());

  it('progress and status show a page in flight, with throughput and ETA; status --watch follows it to the end', async () => {
    const container = uniqueName('cli-st');
    await seedBlobs(w.connections.blob('source').service.getContainerClient(container), { count: 20 });
    const workflowId = `backup-source-${container}`;
    const start = await cli([
      ...['backup', '--source', 'source', '--container', container, '--backup', 'backup'],
      ...['--backup-container', heldBk, '--task-queue', w.taskQueue, '--json'],
    ]);
    assert.equal(start.code, 0, start.out);
    assert.equal(JSON.parse(start.out.trim()).workflowId, workflowId);
    await hold.held;
    await until(
      async () => (await pagesInFlight(w.client.workflow, workflowId))[0]?.finished === 5,
      60_000,
      'five items finished inside the page',
    );

    const progress = await cli(['progress', workflowId]);
    assert.equal(progress.code, 0, progress.out);
    // One page of 20, 5 done: the bar is at 25 % although no page has finished.
    assert.match(progress.out, /copying \[#{6}-{18}\] {2}25% 0\/1 pages, 1 page running \(5\/20 items\)/);
    assert.match(progress.out, /\d+\.\d items\/s, [\d.]+ (B|KiB|MiB)\/s, ETA \d+/);

    const status = await cli(['status', workflowId, '--json']);
    assert.equal(status.code, 0, status.out);
    const json = JSON.parse(status.out.trim());
    assert.equal(json.status, 'RUNNING');
    assert.equal(json.kind, 'backup');
    assert.deepEqual(
      json.inFlight.map((p: { finished: number; total: number }) => [p.finished, p.total]),
      [[5, 20]],
    );
    assert.ok(json.pace.etaSeconds >= 0, status.out);

    hold.release();
    const watched = await cli(['status', workflowId, '--watch', '--interval-seconds', '1']);
    assert.equal(watched.code, 0, watched.out);
    assert.match(watched.out, new RegExp(`${workflowId}: backupContainer completed at `));
    assert.match(watched.out, /Result: .*copied 20.*verified true/);
  });

  it('exits 3 when a backup completes without every copy verified, and --account finds its runs', async () => {
    const container = uniqueName('cli-bad');
    await seedBlobs(w.connections.blob('source').service.getContainerClient(container), { count: 3 });
    const backup = await cli([
      ...['backup', '--source', 'source', '--container', container, '--backup', 'backup', '--verify', 'deep'],
      ...['--backup-container', corruptBk, '--task-queue', w.taskQueue, '--wait'],
    ]);
    assert.equal(backup.code, 3, backup.out);
    assert.match(backup.out, /failed 3, .*NOT verified/);
    const status = await cli(['status', `backup-source-${container}`]);
    assert.equal(status.code, 3, status.out);

    const byAccount = await cli([
      'runs',
      '--backup',
      'backup',
      '--account',
      'source',
      '--container',
      container,
      '--backup-container',
      corruptBk,
      '--json',
    ]);
    const bySource = await cli([
      'runs',
      '--backup',
      'backup',
      '--source',
      'source',
      '--container',
      container,
      '--backup-container',
      corruptBk,
      '--json',
    ]);
    assert.equal(byAccount.code, 0, byAccount.out);
    assert.equal(JSON.parse(byAccount.out).length, 1);
    assert.deepEqual(JSON.parse(byAccount.out), JSON.parse(bySource.out));
    const mismatch = await cli([
      'runs',
      '--backup',
      'backup',
      '--account',
      'backup',
      '--source',
      'source',
      '--container',
      container,
    ]);
    assert.equal(mismatch.code, 2);
    assert.match(mismatch.out, /--account backup is not the account of --source source \(source\)/);
  });

  it('prints one-line errors with a hint, never a stack trace; --help shows an example; config check --json', async () => {
    const missing = await cli(['status', uniqueName('no-such-workflow')]);
    assert.equal(missing.code, 1);
    assert.match(missing.out, /^azbackup: .*not found.*\nhint: check the workflow id/is);
    assert.doesNotMatch(missing.out, /\n\s+at /);
    const usage = await cli(['notify', '--source', 'source']);
    assert.equal(usage.code, 2);
    assert.equal(
      usage.out,
      'azbackup notify: missing --container\nhint: azbackup notify --help shows its options and an example\n',
    );
    const help = await cli(['status', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.out, /example:\n {2}npx azbackup status backup-source-photos --watch/);
    const check = await cli(['config', 'check', '--json']);
    assert.equal(check.code, 0, check.out);
    assert.equal(JSON.parse(check.out).connections.events, 'queue');
  });
});
