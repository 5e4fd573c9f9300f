// Restore on the real stack: point in time (v1 at T1, v2 at T2, deleted at T3), one prefix, another
// account and container, the overwrite policies, dry runs, and bad input rejected before any write.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ContainerClient } from '@azure/storage-blob';
import { WorkflowFailedError } from '@temporalio/client';
import { backupContainer, type BackupContainerResult } from '../../src/workflows/backup-container';
import {
  restoreContainer,
  restoreProgressQuery,
  type RestoreContainerInput,
  type RestoreProgress,
} from '../../src/workflows/restore-container';
import { listRunSummaries, openCatalog, readStatePage } from '../../src/catalog/queries';
import { isTombstone } from '../../src/domain/catalog-record';
import { download } from '../support/catalog';
import { rootApplicationFailure } from '../support/failures';
import { startTestWorker, uniqueName, type TestWorker } from '../support/stack';

describe('blob restore', () => {
  let w: TestWorker;
  const container = uniqueName('rs');
  const backupName = uniqueName('bk');
  const runs: BackupContainerResult[] = [];
  const src = () => w.connections.blob('source').service.getContainerClient(container);
  const acct = (name: 'source' | 'backup', c: string) => w.connections.blob(name).service.getContainerClient(c);
  const put = (c: ContainerClient, name: string, body: string, extra: { tags?: Record<string, string> } = {}) =>
    c.getBlockBlobClient(name).upload(body, body.length, {
      blobHTTPHeaders: { blobContentType: 'text/plain' },
      metadata: { writer: 'test', body },
      tags: extra.tags,
    });
  const backup = async () => {
    const r = await w.client.workflow.execute(backupContainer, {
      taskQueue: w.taskQueue,
      workflowId: uniqueName('wf-rs-backup'),
      args: [{ source: 'source', container, backup: 'backup', backupContainer: backupName, pageSize: 3 }],
    });
    assert.equal(r.verified, true);
    runs.push(r);
    return r;
  };
  const restore = (input: Partial<RestoreContainerInput> & Pick<RestoreContainerInput, 'target'>) =>
    w.client.workflow.execute(restoreContainer, {
      taskQueue: w.taskQueue,
      workflowId: uniqueName('wf-restore'),
      args: [{ backup: 'backup', backupContainer: backupName, source: { account: 'source', container }, ...input }],
    });
  const contents = async (c: ContainerClient) => {
    const out: Record<string, string> = {};
    for await (const b of c.listBlobsFlat()) out[b.name] = (await download(c.getBlobClient(b.name))).toString();
    return out;
  };
  const target = (account: 'source' | 'backup' = 'backup') => ({
    connection: account,
    container: uniqueName('to'),
  });
  let olderTarget: ContainerClient;

  before(async () => {
    w = await startTestWorker();
    // A target blob written before any backed-up version: older than all of them.
    olderTarget = acct('source', uniqueName('older'));
    await olderTarget.create();
    await put(olderTarget, 'docs/b.txt', 'stale');
    await new Promise((r) => setTimeout(r, 1100)); // Last-Modified has one-second resolution
    await src().create();
    await put(src(), 'docs/a.txt', 'a1', { tags: { team: 'data' } });
    await put(src(), 'docs/b.txt', 'b1');
    await put(src(), 'keep/x.txt', 'x1');
    await put(src(), 'logs/l.txt', 'l1');
    await backup(); // T1
    await put(src(), 'docs/a.txt', 'a2', { tags: { team: 'data' } });
    await backup(); // T2
    await src().deleteBlob('docs/a.txt', { deleteSnapshots: 'include' });
    await backup(); // T3
  });
  after(() => w.stop());

  const all = { 'docs/b.txt': 'b1', 'keep/x.txt': 'x1', 'logs/l.txt': 'l1' };

  it('as of T1 gives v1, into another account and container, with content type, metadata and tags', async () => {
    const to = target('backup');
    const r = await restore({ asOf: runs[0]!.startedAt, target: to });
    assert.deepEqual([r.runKey, r.restored, r.failed], [runs[0]!.runKey, 4, 0]);
    assert.deepEqual(await contents(acct('backup', to.container)), { ...all, 'docs/a.txt': 'a1' });
    const a = acct('backup', to.container).getBlobClient('docs/a.txt');
    const props = await a.getProperties();
    assert.equal(props.contentType, 'text/plain');
    assert.deepEqual(props.metadata, { writer: 'test', body: 'a1' });
    assert.deepEqual((await a.getTags()).tags, { team: 'data' });
  });

  it('as of T2 gives v2; as of T3 leaves the deleted blob out; with includeDeleted gives v2', async () => {
    const t2 = target();
    assert.equal((await restore({ asOf: runs[1]!.startedAt, target: t2 })).restored, 4);
    assert.deepEqual(await contents(acct('backup', t2.container)), { ...all, 'docs/a.txt': 'a2' });
    const t3 = target();
    const at3 = await restore({ asOf: runs[2]!.startedAt, target: t3 });
    assert.deepEqual([at3.runKey, at3.restored], [runs[2]!.runKey, 3]);
    assert.deepEqual(await contents(acct('backup', t3.container)), all);
    const t3d = target();
    const r = await restore({ asOf: runs[2]!.startedAt, includeDeleted: true, target: t3d });
    assert.deepEqual([r.runKey, r.restored], [runs[2]!.runKey, 4]);
    assert.deepEqual(await contents(acct('backup', t3d.container)), { ...all, 'docs/a.txt': 'a2' });
    // Any time after T3 resolves to T3's run too, and a run can be named by its key.
    assert.equal((await restore({ asOf: new Date().toISOString(), target: target() })).runKey, runs[2]!.runKey);
    assert.equal((await restore({ run: runs[2]!.runKey, target: target() })).restored, 3);
  });

  it('restores one prefix only, reading only the catalog pages that can hold it', async () => {
    const to = target('source');
    const r = await restore({ run: runs[1]!.runKey, prefix: 'docs/', target: to });
    assert.equal(r.restored, 2);
    assert.ok(r.pages < runs[1]!.pages, `${r.pages} of ${runs[1]!.pages} pages read`);
    assert.deepEqual(await contents(acct('source', to.container)), { 'docs/a.txt': 'a2', 'docs/b.txt': 'b1' });
  });

  it('overwrite: never keeps, ifNewer replaces only older blobs, always replaces', async () => {
    await put(src(), 'docs/b.txt', 'b-local'); // newer than any backed-up version
    const original = { connection: 'source', container };
    const never = await restore({ run: runs[1]!.runKey, target: original, overwrite: 'never' });
    // docs/a.txt was deleted at the source: restored; the others exist and stay.
    assert.deepEqual([never.restored, never.skipped], [1, 3]);
    assert.equal((await contents(src()))['docs/b.txt'], 'b-local');
    const ifNewer = await restore({
      run: runs[1]!.runKey,
      blobs: ['docs/b.txt'],
      target: original,
      overwrite: 'ifNewer',
    });
    assert.deepEqual([ifNewer.restored, ifNewer.skipped], [0, 1]);
    const older = { connection: 'source', container: olderTarget.containerName };
    const replaced = await restore({
      run: runs[1]!.runKey,
      blobs: ['docs/b.txt'],
      target: older,
      overwrite: 'ifNewer',
    });
    assert.deepEqual([replaced.restored, replaced.skipped], [1, 0]);
    assert.equal((await contents(olderTarget))['docs/b.txt'], 'b1');
    const always = await restore({
      run: runs[1]!.runKey,
      blobs: ['docs/b.txt'],
      target: original,
      overwrite: 'always',
    });
    assert.equal(always.restored, 1);
    assert.equal((await contents(src()))['docs/b.txt'], 'b1');
  });

  it('a dry run reports what it would restore and writes nothing', async () => {
    const to = target();
    const r = await restore({ run: runs[0]!.runKey, target: to, dryRun: true });
    assert.deepEqual([r.dryRun, r.restored], [true, 4]);
    assert.equal(await acct('backup', to.container).exists(), false);
  });

  it('answers the progress query while it runs and after, across continue-as-new', async () => {
    const handle = await w.client.workflow.start(restoreContainer, {
      taskQueue: w.taskQueue,
      workflowId: uniqueName('wf-restore-progress'),
      args: [
        {
          backup: 'backup',
          backupContainer: backupName,
          source: { account: 'source', container },
          run: runs[1]!.runKey,
          target: target(),
          maxConcurrentPages: 1,
          maxPagesPerRun: 1, // one page per run: two pages make it continue as new once
        },
      ],
    });
    const seen: RestoreProgress[] = [];
    let finished = false;
    const polling = (async () => {
      while (!finished) {
        const p = await handle.query(restoreProgressQuery).catch(() => undefined);
        if (p) seen.push(p);
        await new Promise((r) => setTimeout(r, 25));
      }
    })();
    const r = await handle.result().finally(() => (finished = true));
    await polling;
    assert.equal(r.pages, 2);
    const final = await handle.query(restoreProgressQuery);
    assert.deepEqual(
      [final.phase, final.runKey, final.pages, final.pagesDone, final.restored, final.matched, final.bytesRestored],
      ['done', r.runKey, 2, 2, r.restored, r.matched, r.bytesRestored],
    );
    assert.ok(seen.length > 0, 'the query answered while the restore ran');
    for (const [i, p] of seen.entries()) {
      const prev = seen[i - 1];
      if (!prev) continue;
      assert.ok(
        p.pagesDone >= prev.pagesDone && p.restored >= prev.restored,
        `progress went back: ${JSON.stringify([prev, p])}`,
      );
    }
    const { runId } = await handle.describe();
    assert.notEqual(runId, handle.firstExecutionRunId, 'continued as new');
  });

  it('lists the runs of a source and reads its state as of a time, page by page', async () => {
    const location = { backupContainer: backupName, source: { account: 'source', container } };
    const store = openCatalog(w.connections.blob('backup'), location);
    const listed = await listRunSummaries(store);
    assert.deepEqual(
      listed.map((r) => r.bytesCopied),
      runs.map((r) => r.bytesCopied),
      'each run says how many bytes it copied',
    );
    assert.deepEqual(
      listed.map((r) => [r.runKey, r.verified, r.counts.copied, r.counts.deleted]),
      [
        [runs[0]!.runKey, true, 4, 0],
        [runs[1]!.runKey, true, 1, 0],
        [runs[2]!.runKey, true, 0, 1],
      ],
    );
    const first = await readStatePage(store, { asOf: runs[2]!.startedAt }, { limit: 2 });
    assert.equal(first.run.runKey, runs[2]!.runKey);
    assert.deepEqual(
      first.records.map((r) => [r.name, isTombstone(r)]),
      [
        ['docs/a.txt', true],
        ['docs/b.txt', false],
      ],
    );
    const rest = await readStatePage(store, { asOf: runs[2]!.startedAt }, { after: first.nextAfter });
    assert.deepEqual(
      rest.records.map((r) => r.name),
      ['keep/x.txt', 'logs/l.txt'],
    );
    assert.equal(rest.nextAfter, undefined);
  });

  const bad: [string, Partial<RestoreContainerInput>, RegExp][] = [
    ['asOf before the first run', { asOf: '2001-01-01T00:00:00Z' }, /asOf is before the first backup run/],
    ['an unknown run', { run: '20010101T000000000Z-deadbeef' }, /run is not a committed run of this source/],
    ['asOf that is not a time', { asOf: 'last tuesday' }, /asOf must be an ISO 8601 time/],
    ['both prefix and blobs', { prefix: 'docs/', blobs: ['a'] }, /blobs and prefix are exclusive/],
    ['an unknown target connection', { target: { connection: 'nope', container: 'x-1' } }, /target\.connection/],
  ];
  for (const [name, input, message] of bad) {
    it(`rejects ${name} before any write`, async () => {
      const to = target();
      const err = await restore({ target: to, ...input }).catch((e: unknown) => e);
      assert.ok(err instanceof WorkflowFailedError, String(err));
      const failure = rootApplicationFailure(err);
      assert.equal(failure?.nonRetryable, true);
      assert.match(failure!.message, message);
      assert.equal(await acct('backup', to.container).exists(), false);
    });
  }

  it('rejects the backup container as a target, writing nothing there', async () => {
    const names = async () => {
      const out: string[] = [];
      for await (const b of acct('backup', backupName).listBlobsFlat()) out.push(`${b.name} ${b.properties.etag}`);
      return out;
    };
    const before = await names();
    const err = await restore({ target: { connection: 'backup', container: backupName } }).catch((e: unknown) => e);
    const failure = rootApplicationFailure(err);
    assert.equal(failure?.nonRetryable, true);
    assert.match(failure!.message, /target\.container is the backup container itself/);
    assert.deepEqual(await names(), before, 'not a blob written, changed or deleted in the backup container');
  });
});
