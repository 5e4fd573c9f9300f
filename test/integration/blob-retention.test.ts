// Retention and garbage collection on the real stack: forgotten runs and only unreferenced objects go,
// deletions expire once no kept run holds the blob live, azbackup's source snapshots are pruned (and
// nobody else's), the newest verified copy of a live blob outlives the policy, a dry run deletes nothing,
// and a backup running while GC sweeps loses nothing, not even
// a copy it reuses that GC had marked.
import { MIN_GRACE_PERIOD_MS } from '../../src/domain/defaults';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import { seedBlobs } from '../../dev/seed';
import { createGarbageActivities, type MarkGarbageResult, type SweepGarbageResult } from '../../src/activities/garbage';
import type { RetentionPlan } from '../../src/activities/retention';
import { backupObjectName, normalizeVersion } from '../../src/domain/backup-naming';
import { catalogPaths, catalogScope } from '../../src/domain/catalog-layout';
import { isTombstone, type CatalogEntry } from '../../src/domain/catalog-record';
import { type ApplyRetentionInput } from '../../src/workflows/apply-retention';
import { backupContainer, type BackupContainerResult } from '../../src/workflows/backup-container';
import { readJson, readNdjson } from '../../src/catalog/ndjson-blob';
import { restoreContainer } from '../../src/workflows/restore-container';
import { download, runRecords } from '../support/catalog';
import { rootApplicationFailure } from '../support/failures';
import { holdJournalAppends, sweepReusedCopy } from '../support/faults';
import { useBlobFixture } from '../support/blob-fixture';
import { startTestWorker, uniqueName } from '../support/stack';
import type { RequestDecorator } from '../../src/storage/pipeline-policies';

describe('retention and garbage collection', () => {
  const fixture = useBlobFixture({ backupDefaults: { pageSize: 50 } });
  const { src, bk, backupName } = fixture;
  const backup = fixture.backup;
  const retain = (container: string, input: Partial<ApplyRetentionInput>) =>
    fixture.retain(container, { gracePeriodMs: MIN_GRACE_PERIOD_MS, ...input });
  const objects = async (container: string) => {
    const names = new Set<string>();
    for await (const b of bk().listBlobsFlat({ prefix: `data/source/${container}/` })) names.add(b.name);
    return names;
  };
  const copiesOf = async (container: string, runKey: string, options: { liveOnly?: boolean } = {}) => {
    const copies = new Set<string>();
    for (const r of await runRecords(bk(), 'source', container, runKey)) {
      if (!isTombstone(r)) copies.add(r.copy);
      else if (!options.liveOnly) copies.add(r.last.copy);
    }
    return copies;
  };
  const put = (c: string, name: string, body: string) => src(c).getBlockBlobClient(name).upload(body, body.length);

  it('keepLast 1 forgets older runs and collects only what no kept run references', async () => {
    const c = uniqueName('ret');
    await src(c).create();
    for (const n of ['a', 'b', 'c', 'd']) await put(c, n, `${n}1`);
    const r1 = await backup(c);
    await put(c, 'a', 'a2');
    await put(c, 'b', 'b2');
    const r2 = await backup(c);
    await put(c, 'a', 'a3');
    await src(c).deleteBlob('c', { deleteSnapshots: 'include' });
    const r3 = await backup(c);
    // Someone else's snapshot of d: retention must never touch it.
    const foreign = (await src(c).getBlobClient('d').createSnapshot()).snapshot!;
    const before = await objects(c);
    assert.equal(before.size, 7); // a1 a2 a3 b1 b2 c1 d1

    const dry = await retain(c, { dryRun: true });
    assert.deepEqual([dry.runsKept, dry.runsRemoved, dry.marked, dry.deleted], [1, 2, 3, 3]);
    assert.deepEqual(await objects(c), before, 'a dry run deletes nothing');
    const scope = catalogScope('source', c);
    assert.ok(await bk().getBlobClient(catalogPaths.manifest(scope, r1.runKey)).exists());

    // In hash partitions of at most 2 references each: several passes, the same outcome as one.
    const done = await retain(c, { sourceSnapshots: { source: 'source', keepNewest: 1 }, maxReferencesInMemory: 2 });
    assert.deepEqual([done.runsKept, done.runsRemoved, done.deleted], [1, 2, 3]);
    assert.deepEqual(done.removedRuns.sort(), [r1.runKey, r2.runKey].sort());
    // Every deletion is logged: the three objects and the forgotten runs' catalog files.
    const logged: { name: string; kind: string }[] = [];
    for await (const line of readNdjson<{ name: string; kind: string }>(bk().getBlobClient(done.report)))
      logged.push(line);
    assert.equal(logged.filter((l) => l.kind === 'object').length, 3);
    assert.equal(logged.filter((l) => l.kind === 'catalog').length, done.catalogFilesDeleted);
    assert.ok(done.catalogFilesDeleted >= 2);
    const kept = await copiesOf(c, r3.runKey);
    assert.deepEqual(await objects(c), kept, 'exactly the newest run’s copies remain (c’s last copy too)');
    assert.equal(kept.size, 4);
    for (const r of [r1, r2]) {
      assert.equal(await bk().getBlobClient(catalogPaths.manifest(scope, r.runKey)).exists(), false);
      let left = 0;
      for await (const _ of bk().listBlobsFlat({ prefix: catalogPaths.runPrefix(scope, r.runKey) })) left++;
      assert.equal(left, 0, `catalog files of ${r.runKey} collected`);
    }
    // a had three azbackup snapshots: keepNewest 1 leaves one; d keeps its own and the foreign one.
    const snapshots = async (name: string) => {
      const out: string[] = [];
      for await (const b of src(c).listBlobsFlat({ prefix: name, includeSnapshots: true }))
        if (b.name === name && b.snapshot) out.push(b.snapshot);
      return out;
    };
    assert.equal((await snapshots('a')).length, 1);
    assert.ok((await snapshots('d')).includes(foreign));
    assert.equal((await snapshots('d')).length, 2);

    // A deletion expires once no kept run holds the blob live.
    const r4 = await backup(c);
    const after4 = await retain(c, {});
    assert.deepEqual([after4.runsRemoved, after4.deleted], [1, 1]);
    assert.deepEqual(await objects(c), await copiesOf(c, r4.runKey, { liveOnly: true }));
    assert.equal((await objects(c)).size, 3);

    // Restoring with includeDeleted reports the collected deletion as skipped, with why; not as a
    // failure. A dry run says the same, since it reads the backup objects too.
    const restoreAll = (dryRun: boolean) =>
      fixture.w.client.workflow.execute(restoreContainer, {
        taskQueue: fixture.w.taskQueue,
        workflowId: uniqueName('wf-ret-restore'),
        args: [
          {
            backup: 'backup',
            backupContainer: backupName,
            source: { account: 'source', container: c },
            includeDeleted: true,
            dryRun,
            target: { connection: 'backup', container: uniqueName('to') },
          },
        ],
      });
    const reportOf = async (report: string) => {
      const lines: { name: string; outcome: string; reason: string }[] = [];
      for await (const l of readNdjson<(typeof lines)[number]>(bk().getBlobClient(report))) lines.push(l);
      return lines.sort((x, y) => x.name.localeCompare(y.name));
    };
    const dryRestore = await restoreAll(true);
    assert.deepEqual([dryRestore.restored, dryRestore.skipped, dryRestore.failed], [3, 1, 0]);
    const dryLines = await reportOf(dryRestore.report);
    assert.deepEqual(
      dryLines.map((l) => [l.name, l.outcome, l.reason.split(' ')[0]]),
      [
        ['a', 'restored', 'would'],
        ['b', 'restored', 'would'],
        ['c', 'skipped', 'deleted'],
        ['d', 'restored', 'would'],
      ],
    );
    const restored = await restoreAll(false);
    assert.deepEqual([restored.restored, restored.skipped, restored.failed], [3, 1, 0]);
    const lines = await reportOf(restored.report);
    assert.deepEqual(
      lines.map((l) => [l.name, l.outcome]),
      [['c', 'skipped']],
    );
    assert.match(lines[0]!.reason, /before the oldest kept run: retention has collected its last copy/);
  });

  it('keeps the run holding the newest verified copy of a live blob, which the policy alone would forget', async () => {
    const c = uniqueName('ret-verified');
    await src(c).create();
    await put(c, 'a', 'a1');
    await put(c, 'b', 'b1');
    const r1 = await backup(c);
    await put(c, 'a', 'a2');
    const r2 = await backup(c);
    await put(c, 'a', 'a3');
    const r3 = await backup(c, { verify: 'none' }); // a3 is backed up, not verified
    const a = async (run: string) =>
      (await runRecords(bk(), 'source', c, run)).find((r) => r.name === 'a') as CatalogEntry;
    const [a1, a2, a3] = [await a(r1.runKey), await a(r2.runKey), await a(r3.runKey)];
    assert.deepEqual([a1.verified, a2.verified, a3.verified, r3.verified], [true, true, false, false]);

    // The policy (keepLast 1) keeps only r3, whose copy of a is unverified: r2 holds a's newest verified one.
    const done = await retain(c, { policy: { keepLast: 1 } });
    assert.deepEqual(done.removedRuns, [r1.runKey]);
    const plan = await readJson<RetentionPlan>(bk().getBlobClient(done.plan));
    assert.deepEqual(plan.keep, [
      { key: r3.runKey, reasons: ['last', 'newest run'] },
      { key: r2.runKey, reasons: ['newest verified run; newest verified copy of 1 live blob(s)'] },
    ]);
    assert.deepEqual(plan.remove, [r1.runKey]);
    const scope = catalogScope('source', c);
    assert.equal(await bk().getBlobClient(catalogPaths.manifest(scope, r2.runKey)).exists(), true);
    assert.equal(await bk().getBlobClient(catalogPaths.manifest(scope, r1.runKey)).exists(), false);
    // Only a1 went: a2 (the verified copy), a3 and b1 stay.
    assert.equal(done.deleted, 1);
    const b = (await runRecords(bk(), 'source', c, r3.runKey)).find((r) => r.name === 'b') as CatalogEntry;
    assert.deepEqual([...(await objects(c))].sort(), [a2.copy, a3.copy, b.copy].sort());
  });

  it('keepDaily and keepWeekly over runs of one day keep the newest and the oldest; keepWithin keeps all', async (t) => {
    const c = uniqueName('ret-daily');
    await src(c).create();
    const runs: BackupContainerResult[] = [];
    for (const v of [1, 2, 3, 4]) {
      await put(c, 'x', `x${v}`);
      runs.push(await backup(c));
    }
    // Run times are the real starts: the hand-worked answer below holds for runs within one UTC day.
    if (new Set(runs.map((r) => r.startedAt.slice(0, 10))).size > 1) return t.skip('the runs straddle midnight UTC');
    const [r1, r2, r3, r4] = runs.map((r) => r.runKey) as [string, string, string, string];
    const copyOfX = async (run: string) =>
      ((await runRecords(bk(), 'source', c, run)).find((r) => r.name === 'x') as CatalogEntry).copy;
    const [x1, x4] = [await copyOfX(r1), await copyOfX(r4)];

    // All four started within the hour before the newest: keepWithin 1h keeps them all.
    const within = await retain(c, { policy: { keepWithin: '1h' }, dryRun: true });
    assert.deepEqual([within.runsKept, within.runsRemoved, within.marked], [4, 0, 0]);

    // By hand, newest first, one day and one ISO week: r4 opens the daily bucket (2 -> 1 left) and the
    // weekly one (1 -> 0); r3 and r2 fall in the same buckets; r1, the oldest, is kept while daily still
    // has a bucket to fill (restic keeps the oldest then); weekly has none.
    const done = await retain(c, { policy: { keepDaily: 2, keepWeekly: 1 } });
    const plan = await readJson<RetentionPlan>(bk().getBlobClient(done.plan));
    assert.deepEqual(plan.keep, [
      { key: r4, reasons: ['daily', 'weekly', 'newest run'] },
      { key: r1, reasons: ['daily'] },
    ]);
    assert.deepEqual(plan.remove, [r3, r2]);
    assert.deepEqual([done.runsRemoved, done.deleted], [2, 2]);
    assert.deepEqual([...(await objects(c))].sort(), [x1, x4].sort(), 'x2 and x3 collected');
  });

  /** Blob `a` backed up as a1 then a2 (one azbackup snapshot each), plus a snapshot someone else took. */
  const twoRunsAndAForeignSnapshot = async (prefix: string) => {
    const c = uniqueName(prefix);
    await src(c).create();
    await put(c, 'a', 'a1');
    await backup(c);
    await put(c, 'a', 'a2');
    await backup(c);
    const foreign = (await src(c).getBlobClient('a').createSnapshot()).snapshot!;
    const snapshots = async () => {
      const out: string[] = [];
      for await (const b of src(c).listBlobsFlat({ includeSnapshots: true })) if (b.snapshot) out.push(b.snapshot);
      return out.sort();
    };
    return { c, foreign, snapshots };
  };

  it('sourceSnapshots.maxAgeDays prunes only azbackup snapshots older than the limit', async () => {
    const { c, foreign, snapshots } = await twoRunsAndAForeignSnapshot('ret-age');
    const ours = (await snapshots()).filter((s) => s !== foreign);
    assert.equal(ours.length, 2);
    const prune = (maxAgeDays: number) =>
      retain(c, { policy: { keepLast: 10 }, sourceSnapshots: { source: 'source', maxAgeDays } });
    // A snapshot cannot be aged here: seconds old, they are within a day, and all older than zero days.
    assert.equal((await prune(1)).deletedSourceSnapshots, 0);
    assert.deepEqual(await snapshots(), [...ours, foreign].sort());
    assert.equal((await prune(0)).deletedSourceSnapshots, 2);
    assert.deepEqual(await snapshots(), [foreign], "someone else's snapshot stays, whatever its age");
  });

  it('snapshots of runs forgotten without snapshot pruning stay prunable (the snapshot ledger)', async () => {
    const { c, foreign, snapshots: snapshotsOfA } = await twoRunsAndAForeignSnapshot('ret-ledger');
    const [s1, s2] = await snapshotsOfA();
    // Forget the first run and collect its catalog, with no snapshot policy: its snapshot stays on the source.
    assert.equal((await retain(c, {})).runsRemoved, 1);
    assert.deepEqual(await snapshotsOfA(), [s1, s2, foreign].sort());
    const ledger = catalogPaths.snapshotLedgerPrefix(catalogScope('source', c));
    const ledgers = async () => {
      const out: string[] = [];
      for await (const b of bk().listBlobsFlat({ prefix: ledger })) out.push(b.name);
      return out;
    };
    assert.equal((await ledgers()).length, 1);
    // Pruning later still knows s1 was azbackup's; the foreign snapshot stays; the emptied ledger goes.
    const pruned = await retain(c, { sourceSnapshots: { source: 'source', keepNewest: 1 } });
    assert.equal(pruned.deletedSourceSnapshots, 1);
    assert.deepEqual(await snapshotsOfA(), [s2, foreign].sort());
    assert.deepEqual(await ledgers(), []);
  });

  it('a backup running while garbage collection marks and sweeps loses nothing, its journal held back', async () => {
    // The backup runs on a worker whose journal appends the test holds: copies exist that no journal names.
    const journal = holdJournalAppends('/catalog/source/');
    const gated = await startTestWorker({
      connectionOptions: { decorators: (name) => (name === 'backup' ? [journal.decorator] : []) },
    });
    try {
      const c = uniqueName('ret-live');
      await seedBlobs(src(c), { count: 300 });
      const first = await backup(c);
      await seedBlobs(src(c), { count: 300, prefix: 'v2/' }); // 300 new blobs for the running backup
      const handle = await gated.client.workflow.start(backupContainer, {
        taskQueue: gated.taskQueue,
        workflowId: uniqueName('wf-ret-running'),
        args: [{ source: 'source', container: c, backup: 'backup', backupContainer: backupName, pageSize: 50 }],
      });
      await journal.held;
      // At risk: copies of the running backup that no committed run and no journal names yet.
      const committed = await copiesOf(c, first.runKey);
      const unnamed = [...(await objects(c))].filter((copy) => !committed.has(copy));
      assert.ok(unnamed.length > 0, 'the running backup had written copies that nothing but its intents named');
      const gc = await retain(c, { maxReferencesInMemory: 200 }); // two partitions of references
      assert.equal((await handle.describe()).status.name, 'RUNNING', 'the backup was still running at the sweep');
      journal.release();
      const result = await handle.result();
      assert.equal(result.failed, 0);
      assert.equal(gc.marked, 0, 'the copies it had declared before writing them were never candidates');
      assert.equal(gc.deleted, 0);
      const present = await objects(c);
      const missing = [...(await copiesOf(c, result.runKey))].filter((copy) => !present.has(copy));
      assert.deepEqual(missing, []);
    } finally {
      journal.release();
      await gated.stop();
    }
  });

  it('a copy GC marked stays when a backup reuses it before its journal names it (touched), or is copied again', async () => {
    // A second worker whose backup connection the test can interfere with, one hook at a time.
    let hook: RequestDecorator | undefined;
    const gated = await startTestWorker({
      connectionOptions: {
        decorators: (name) => (name === 'backup' ? [(r, next) => (hook ?? ((x, n) => n(x)))(r, next)] : []),
      },
    });
    try {
      const c = uniqueName('ret-reuse');
      await src(c).create();
      await put(c, 'keep', 'k1');
      await backup(c); // a committed run: retention has a source to work on
      // Copies of x's current version and of y's, as an abandoned run would have left them: no run names them.
      const plant = async (name: string, body: string) => {
        await put(c, name, body);
        const etag = normalizeVersion((await src(c).getBlobClient(name).getProperties()).etag!);
        const copy = backupObjectName({ account: 'source', container: c, blobName: name, version: etag });
        await bk().getBlockBlobClient(copy).upload(body, body.length);
        return copy;
      };
      const xCopy = await plant('x', 'x1');
      // The mark's time is a whole second, one before it starts: the planted copy must be older than that.
      await new Promise((r) => setTimeout(r, 2100));
      const env = new MockActivityEnvironment();
      const gc = createGarbageActivities(fixture.w.connections);
      const gcInput = {
        backup: 'backup',
        backupContainer: backupName,
        source: { account: 'source', container: c },
        gcKey: uniqueName('gc'),
        abandonedAfterMs: 24 * 3600_000,
      };
      const mark = (await env.run(gc.markGarbage, gcInput)) as MarkGarbageResult;
      assert.equal(mark.count, 1, 'the abandoned copy is marked: it is at risk');

      // The backup reuses the copy; its journal entry is held back while the sweep runs.
      const journal = holdJournalAppends(`/catalog/source/${c}/`);
      hook = journal.decorator;
      const running = gated.client.workflow.execute(backupContainer, {
        taskQueue: gated.taskQueue,
        workflowId: uniqueName('wf-ret-reuse'),
        args: [{ source: 'source', container: c, backup: 'backup', backupContainer: backupName }],
      });
      await journal.held;
      const sweep = (await env.run(gc.sweepGarbage, {
        ...gcInput,
        markedAt: mark.markedAt,
        dryRun: false,
      })) as SweepGarbageResult;
      journal.release();
      const result = await running;
      assert.deepEqual([sweep.deleted, sweep.kept], [0, 1], 'the sweep kept the touched copy (412)');
      assert.deepEqual([result.copied, result.skipped], [0, 1], 'x was reused, not copied again');
      const x = (await runRecords(bk(), 'source', c, result.runKey)).find((r) => r.name === 'x');
      assert.ok(x && !isTombstone(x));
      assert.equal(x.copy, xCopy, "the run's catalog names the reused copy");
      assert.equal((await download(bk().getBlobClient(xCopy))).toString(), 'x1', 'and it is there');

      // Swept between the decision to reuse and the touch: the touch finds it gone and the backup copies again.
      const yCopy = await plant('y', 'y1');
      hook = sweepReusedCopy(`/${c}/`, (name) => bk().deleteBlob(name));
      const again = await gated.client.workflow.execute(backupContainer, {
        taskQueue: gated.taskQueue,
        workflowId: uniqueName('wf-ret-reuse'),
        args: [{ source: 'source', container: c, backup: 'backup', backupContainer: backupName }],
      });
      hook = undefined;
      assert.deepEqual([again.copied, again.skipped, again.failed], [1, 0, 0]);
      assert.equal((await download(bk().getBlobClient(yCopy))).toString(), 'y1');
    } finally {
      hook = undefined;
      await gated.stop();
    }
  });

  it('refuses a source with no backup runs (a typo) or a missing backup container before writing anything', async () => {
    // The container exists on the source, with someone's snapshot, but was never backed up here.
    const typo = uniqueName('ret-typo');
    await src(typo).create();
    await put(typo, 'a', 'a1');
    const foreign = (await src(typo).getBlobClient('a').createSnapshot()).snapshot!;
    await bk().createIfNotExists();
    const written = async () => {
      const out: string[] = [];
      for (const prefix of [`catalog/source/${typo}/`, `gc/source/${typo}/`])
        for await (const b of bk().listBlobsFlat({ prefix })) out.push(b.name);
      return out;
    };
    const refused = async (input: Partial<ApplyRetentionInput>) => {
      const err = await retain(typo, input).catch((e: unknown) => e);
      assert.ok(err instanceof WorkflowFailedError, String(err));
      const failure = rootApplicationFailure(err)!;
      assert.equal(failure.nonRetryable, true, failure.message);
      return failure.message;
    };
    const noRuns = `source: no backup runs found for source/${typo} in backup/${backupName}`;
    assert.equal(await refused({}), noRuns);
    assert.equal(await refused({ dryRun: true }), noRuns);
    assert.equal(await refused({ sourceSnapshots: { source: 'source', maxAgeDays: 0 } }), noRuns);
    const missing = uniqueName('no-bk');
    assert.equal(await refused({ backupContainer: missing }), `backupContainer: backup/${missing} does not exist`);
    assert.deepEqual(await written(), [], 'no plan, candidate list or report under the catalog or gc prefix');
    assert.equal(await fixture.w.connections.blob('backup').service.getContainerClient(missing).exists(), false);
    const snapshots: string[] = [];
    for await (const b of src(typo).listBlobsFlat({ includeSnapshots: true }))
      if (b.snapshot) snapshots.push(b.snapshot);
    assert.deepEqual(snapshots, [foreign], 'nothing pruned on the source');
  });

  const bad: [string, Partial<ApplyRetentionInput>, RegExp][] = [
    [
      'a negative keep count',
      { policy: { keepDaily: -1 } },
      /policy\.keepDaily must be a whole number, 0 or more \(got -1\)/,
    ],
    ['an empty policy', { policy: {} }, /policy keeps nothing explicitly/],
    ['no room for references', { maxReferencesInMemory: 0 }, /maxReferencesInMemory must be a whole number, 1 or more/],
    ['a bad keepWithin', { policy: { keepWithin: '2 weeks' } }, /policy\.keepWithin must be a duration/],
  ];
  for (const [name, input, message] of bad) {
    it(`rejects ${name} before reading anything`, async () => {
      const err = await retain('whatever', input).catch((e: unknown) => e);
      assert.ok(err instanceof WorkflowFailedError);
      const failure = rootApplicationFailure(err);
      assert.equal(failure?.nonRetryable, true);
      assert.match(failure!.message, message);
    });
  }
});
