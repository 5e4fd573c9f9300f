// Permanent errors end the run, soon and clearly, and free the workflow id (real stack): a credential
// revoked mid-run, a corrupted catalog chunk, a source container deleted mid-run; a request that never
// answers is abandoned after its per-try timeout and retried; a commit refuses a run with missing chunks.
import { MockActivityEnvironment } from '@temporalio/testing';
import { WorkflowFailedError } from '@temporalio/client';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seedBlobs } from '../../dev/seed';
import { createCommitActivities, type CommitRunInput } from '../../src/activities/commit';
import type { ApplicationFailure } from '@temporalio/common';
import { emptyCounts } from '../../src/domain/backup-counts';
import { catalogPaths, catalogScope } from '../../src/domain/catalog-layout';
import type { RequestDecorator } from '../../src/storage/pipeline-policies';
import { backupContainer, type BackupContainerInput } from '../../src/workflows/backup-container';
import { useBlobFixture } from '../support/blob-fixture';
import { errorAnswer, neverAnswer } from '../support/chaos-answers';
import { rootApplicationFailure } from '../support/failures';
import { uniqueName } from '../support/stack';
import { until } from '../support/worker-process';

describe('permanent errors end the run', () => {
  // One hook per connection the tests swap in and out: the worker's pipeline sees every request.
  const hooks: Partial<Record<'source' | 'backup', RequestDecorator>> = {};
  const hang = { count: 0 };
  const fixture = useBlobFixture({
    connectionOptions: {
      decorators: (name) => [(r, next) => (hooks[name as 'source' | 'backup'] ?? ((x, n) => n(x)))(r, next)],
      requestTimeoutInMs: 1500,
    },
  });
  const { src, bk, backupName } = fixture;
  const start = (workflowId: string, input: Partial<BackupContainerInput> & { container: string }) =>
    fixture.w.client.workflow.start(backupContainer, {
      taskQueue: fixture.w.taskQueue,
      workflowId,
      args: [{ source: 'source', backup: 'backup', backupContainer: backupName, pageSize: 20, ...input }],
    });
  /** The run's failure: non-retryable, of `type`, and how long it took. */
  const failure = async (run: Promise<unknown>, type: string, startedAt: number) => {
    const err = await run.then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof WorkflowFailedError, `the run failed (got ${String(err)})`);
    const root = rootApplicationFailure(err)!;
    assert.equal(root.type, type, root.message);
    assert.equal(root.nonRetryable, true);
    return { message: root.message, seconds: (Date.now() - startedAt) / 1000 };
  };

  it('a credential revoked mid-run: AccessDenied, saying what to fix; the same id runs again once fixed', async () => {
    const c = uniqueName('revoked');
    await seedBlobs(src(c), { count: 60 });
    const id = uniqueName('wf-revoked');
    let copies = 0;
    hooks.source = async (request, next) => {
      // After a few blobs were snapshotted, the account refuses the credential for everything.
      if (copies >= 10)
        return errorAnswer(request, 403, 'AuthenticationFailed', 'Server failed to authenticate the request.');
      if (request.method === 'PUT' && new URL(request.url).searchParams.get('comp') === 'snapshot') copies++;
      return next(request);
    };
    const t0 = Date.now();
    const handle = await start(id, { container: c, concurrency: 2, maxConcurrentPages: 1 });
    try {
      const { message, seconds } = await failure(handle.result(), 'AccessDenied', t0);
      assert.match(message, /403 AuthenticationFailed at .*\/source\/.*refused this connection's credential/);
      assert.match(message, /revoked or expired SAS, a rotated account key, or a missing RBAC role/);
      assert.doesNotMatch(message, /sig=/, 'no SAS in the message');
      assert.ok(seconds < 120, `failed within ${seconds} s`);
      console.log(`credential revoked: failed in ${seconds.toFixed(1)} s`);
    } finally {
      delete hooks.source;
    }
    const again = await (await start(id, { container: c })).result();
    assert.deepEqual([again.listed, again.failed, again.verified], [60, 0, true]);
  });

  it('a corrupted catalog chunk: CorruptCatalog naming the file; the same id runs again once it is restored', async () => {
    const c = uniqueName('corrupt');
    await seedBlobs(src(c), { count: 30 });
    const first = await fixture.backup(c, { pageSize: 20 });
    const chunk = bk().getBlockBlobClient(catalogPaths.page(catalogScope('source', c), first.runKey, 0));
    const good = await chunk.downloadToBuffer();
    const props = await chunk.getProperties();
    await chunk.upload('this is not gzipped NDJSON', 26, { metadata: props.metadata });
    const id = uniqueName('wf-corrupt');
    const t0 = Date.now();
    const { message, seconds } = await failure((await start(id, { container: c })).result(), 'CorruptCatalog', t0);
    assert.match(message, new RegExp(`catalog file ${chunk.name.replace(/[.]/g, '\\.')} is corrupt`));
    assert.ok(seconds < 120, `failed within ${seconds} s`);
    await chunk.upload(good, good.length, {
      metadata: props.metadata,
      blobHTTPHeaders: { blobContentType: props.contentType, blobContentEncoding: props.contentEncoding },
    });
    const again = await (await start(id, { container: c })).result();
    assert.deepEqual([again.unchanged, again.failed, again.verified], [30, 0, true]);
  });

  it('the source container deleted mid-run: ContainerNotFound; the same id runs again once it is back', async () => {
    const c = uniqueName('deleted');
    await seedBlobs(src(c), { count: 80 });
    const id = uniqueName('wf-deleted');
    const t0 = Date.now();
    const handle = await start(id, { container: c, maxRequestsPerSecond: 30, concurrency: 2, maxConcurrentPages: 1 });
    await until(async () => (await handle.query<{ copied: number }>('progress')).copied > 0, 60_000, 'a first copy');
    await src(c).delete();
    const { message, seconds } = await failure(handle.result(), 'ContainerNotFound', t0);
    assert.match(message, new RegExp(`ContainerNotFound at .*/source/${c}.*the container is gone`));
    assert.ok(seconds < 120, `failed within ${seconds} s`);
    await until(
      () =>
        src(c)
          .create()
          .then(() => true),
      60_000,
      'the container to be created again',
    );
    await seedBlobs(src(c), { count: 5 });
    const again = await (await start(id, { container: c })).result();
    assert.deepEqual([again.failed, again.verified], [0, true]);
  });

  it('a request that never answers is abandoned after its per-try timeout and retried: the run completes', async () => {
    const c = uniqueName('hang');
    await seedBlobs(src(c), { count: 6 });
    hooks.backup = async (request, next) => {
      const url = new URL(request.url);
      // The first Copy Blob From URL of each blob hangs.
      if (request.method === 'PUT' && request.headers.get('x-ms-copy-source') && !url.searchParams.has('comp')) {
        if (!hung.has(url.pathname)) {
          hung.add(url.pathname);
          hang.count++;
          return neverAnswer(request);
        }
      }
      return next(request);
    };
    const hung = new Set<string>();
    try {
      const t0 = Date.now();
      const id = uniqueName('wf-hang');
      const r = await (await start(id, { container: c })).result();
      assert.deepEqual([r.copied, r.failed, r.verified], [6, 0, true]);
      assert.equal(hang.count, 6, 'every first copy request hung');
      // The storage SDK retried each hung request itself: the page activity never needed a second attempt.
      const page = await fixture.w.client.workflow.getHandle(`${id}/${r.runKey}/page-0`).fetchHistory();
      const attempts = (page.events ?? []).flatMap((e) =>
        e.activityTaskStartedEventAttributes ? [e.activityTaskStartedEventAttributes.attempt] : [],
      );
      assert.ok(attempts.length > 0, 'the page ran activities');
      assert.deepEqual(new Set(attempts), new Set([1]), 'one attempt per activity');
      console.log(`hung requests: ${hang.count}, run took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    } finally {
      delete hooks.backup;
    }
  });

  it('a commit refuses a run whose catalog lacks pages it counted (IncompleteRun, non-retryable)', async () => {
    const c = uniqueName('missing-chunk');
    await seedBlobs(src(c), { count: 30 });
    const r = await fixture.backup(c, { pageSize: 10 });
    const scope = catalogScope('source', c);
    const env = new MockActivityEnvironment();
    const { commitRun } = createCommitActivities(fixture.w.connections);
    // The same run's chunks, with one counted page more than there are chunks of.
    await bk().deleteBlob(catalogPaths.page(scope, r.runKey, 1));
    const input: CommitRunInput = {
      backupConnection: 'backup',
      scope,
      runKey: `${r.runKey}`,
      workflowId: 'test',
      source: { connection: 'source', account: 'source', container: c },
      backup: { account: 'backup', container: backupName },
      mode: 'incremental',
      verify: 'md5',
      snapshot: true,
      startedAt: new Date().toISOString(),
      counts: emptyCounts(),
      pages: 3,
    };
    const err = (await env.run(commitRun, input).catch((e: unknown) => e)) as ApplicationFailure;
    assert.equal(err?.type, 'CorruptCatalog');
    assert.equal(err?.nonRetryable, true);
    assert.match(err!.message, /counted 3 pages, but the catalog chunks of pages 1 are missing/);
  });
});
