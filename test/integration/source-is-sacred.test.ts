// The source is sacred: every request azbackup sends to the source account, recorded below the SDK's retry
// policy across backups (one in lease mode, with a blob someone else holds leased), a reconcile, a
// retention that prunes source snapshots, a restore into another container of the backup account and a
// drill against the live source, is a read (GET/HEAD: blobs, properties, listings, tags), a snapshot, a
// lease acquire/renew/release (never a break), or the delete of a snapshot a backup run's catalog
// recorded. Anything else (a blob written, a base blob deleted, metadata, tier or tags set, a container
// created or deleted) fails the test, naming the request. Someone else's snapshot and lease survive.
import type { PipelineRequest } from '@azure/core-rest-pipeline';
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { seedBlobs } from '../../dev/seed';
import { isTombstone } from '../../src/domain/catalog-record';
import { ConnectionRegistry } from '../../src/storage/connections';
import type { RequestDecorator } from '../../src/storage/pipeline-policies';
import { reconcileContainer } from '../../src/workflows/reconcile-container';
import { useBlobFixture } from '../support/blob-fixture';
import { runRecords } from '../support/catalog';
import { stackConfig, uniqueName } from '../support/stack';

interface Recorded {
  phase: string;
  method: string;
  url: URL;
  leaseAction?: string;
  copySource?: string;
  deleteSnapshots?: string;
}

interface Verdict {
  kind: string;
  allowed: boolean;
  why?: string;
}

/** The blob (or container) a path-style Azurite URL names: /<account>/<container>/<blob>. */
function target(url: URL): { container: string; blob: string } {
  const [, , container = '', ...blob] = url.pathname.split('/');
  return { container: decodeURIComponent(container), blob: decodeURIComponent(blob.join('/')) };
}

/** What a request does to the source, and whether azbackup may do it. `ours` holds catalog-recorded snapshots. */
function classify(r: Recorded, ours: Set<string>): Verdict {
  const comp = r.url.searchParams.get('comp');
  const restype = r.url.searchParams.get('restype');
  const snapshot = r.url.searchParams.get('snapshot');
  const what = [comp && `comp=${comp}`, restype && `restype=${restype}`, snapshot && 'snapshot'].filter(Boolean);
  const named = `${r.method}${what.length ? ` ${what.join(' ')}` : ''}`;
  if (r.copySource !== undefined)
    return { kind: `${named} copy-source`, allowed: false, why: 'a copy into the source' };
  if (r.method === 'GET' || r.method === 'HEAD') return { kind: named, allowed: true };
  if (r.method === 'PUT' && comp === 'snapshot' && !restype) return { kind: 'PUT snapshot', allowed: true };
  if (r.method === 'PUT' && comp === 'lease' && !restype) {
    const allowed = ['acquire', 'renew', 'release'].includes(r.leaseAction ?? '');
    return { kind: `PUT lease ${r.leaseAction}`, allowed, why: allowed ? undefined : 'only acquire, renew, release' };
  }
  if (r.method === 'DELETE' && snapshot && !restype) {
    const { blob } = target(r.url);
    if (r.deleteSnapshots !== undefined)
      return { kind: 'DELETE snapshot', allowed: false, why: `x-ms-delete-snapshots: ${r.deleteSnapshots}` };
    const recorded = ours.has(`${blob}\n${snapshot}`);
    return { kind: 'DELETE snapshot', allowed: recorded, why: recorded ? undefined : 'no catalog recorded it' };
  }
  return { kind: named, allowed: false, why: 'a write' };
}

function describeRequest(r: Recorded): string {
  const { container, blob } = target(r.url);
  const query = [...r.url.searchParams].map(([k, v]) => `${k}=${v}`).join('&');
  const headers = [r.leaseAction && `lease-action ${r.leaseAction}`, r.copySource && 'x-ms-copy-source'].filter(
    Boolean,
  );
  return `${r.phase}: ${r.method} ${container}/${blob}${query ? `?${query}` : ''}${headers.length ? ` (${headers.join(', ')})` : ''}`;
}

describe('the source is sacred', () => {
  const recorded: Recorded[] = [];
  let phase = 'setup';
  const record: RequestDecorator = (request: PipelineRequest, next) => {
    recorded.push({
      phase,
      method: request.method,
      url: new URL(request.url),
      leaseAction: request.headers.get('x-ms-lease-action'),
      copySource: request.headers.get('x-ms-copy-source'),
      deleteSnapshots: request.headers.get('x-ms-delete-snapshots'),
    });
    return next(request);
  };
  const fixture = useBlobFixture({
    connectionOptions: { decorators: (name) => (name === 'source' ? [record] : []) },
    backupDefaults: { pageSize: 5 },
  });
  // The test's own requests go through a registry of its own: only azbackup's are recorded.
  const own = new ConnectionRegistry(stackConfig().connections);
  after(() => own.close());
  const src = () => own.blob('source').service.getContainerClient(c);
  const c = uniqueName('sacred');
  const runKeys: string[] = [];
  /** `name\nsnapshot` of every source snapshot a backup run's catalog recorded. */
  const ours = new Set<string>();
  let foreignSnapshot: string;
  let deletedSourceSnapshots = 0;
  const baseBlobs = async () => {
    const out: string[] = [];
    for await (const b of src().listBlobsFlat({ includeMetadata: true, includeTags: true }))
      out.push(`${b.name} ${b.properties.etag} ${JSON.stringify(b.metadata)} ${JSON.stringify(b.tags ?? {})}`);
    return out.sort();
  };
  const snapshotsOf = async (name: string) => {
    const out: string[] = [];
    for await (const b of src().listBlobsFlat({ prefix: name, includeSnapshots: true }))
      if (b.name === name && b.snapshot) out.push(b.snapshot);
    return out;
  };
  const put = (name: string, body: string) => src().getBlockBlobClient(name).upload(body, body.length);
  const during = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    phase = name;
    try {
      return await work();
    } finally {
      phase = 'test';
    }
  };

  it('backups, a reconcile, retention with snapshot pruning, a restore and a drill run to the end', async () => {
    await seedBlobs(src(), { count: 12 });
    await src().getBlockBlobClient('item-000005.json').setTags({ owner: 'someone-else' });
    // Someone else's snapshot: not in any catalog, so no retention may touch it.
    foreignSnapshot = (await src().getBlobClient('item-000000.json').createSnapshot()).snapshot!;

    const r1 = await during('backup', () => fixture.backup(c));
    assert.equal(r1.copied, 12);
    runKeys.push(r1.runKey);

    await put('item-000001.json', 'one, second version');
    await put('item-000002.json', 'two, second version');
    await put('item-000003.json', 'three, second version');
    // Someone else holds a lease on a changed blob: lease mode skips it and never breaks the lease.
    const theirs = src().getBlobClient('item-000003.json').getBlobLeaseClient();
    await theirs.acquireLease(-1);
    const beforeLeased = await baseBlobs();
    const r2 = await during('backup (leaseMode)', () => fixture.backup(c, { leaseMode: true }));
    assert.deepEqual([r2.modified, r2.copied, r2.skipped], [3, 2, 1], 'the blob leased by someone else is skipped');
    const held = await src().getBlobClient('item-000003.json').getProperties();
    assert.deepEqual([held.leaseState, held.leaseStatus], ['leased', 'locked'], 'their lease is still held');
    assert.deepEqual(await baseBlobs(), beforeLeased, 'a lease-mode backup changes no base blob');
    await theirs.releaseLease();
    runKeys.push(r2.runKey);

    await put('item-000001.json', 'one, third version');
    const r3 = await during('reconcile', () =>
      fixture.w.client.workflow.execute(reconcileContainer, {
        taskQueue: fixture.w.taskQueue,
        workflowId: uniqueName('wf-reconcile'),
        args: [{ source: 'source', container: c, backup: 'backup', backupContainer: fixture.backupName, pageSize: 5 }],
      }),
    );
    assert.equal(r3.copied, 2, 'the reconcile copies the changed blob and the one the lease kept from the last run');
    runKeys.push(r3.runKey);

    await put('item-000002.json', 'two, third version');
    const r4 = await during('backup', () => fixture.backup(c));
    assert.equal(r4.copied, 1);
    runKeys.push(r4.runKey);

    for (const runKey of runKeys)
      for (const r of await runRecords(fixture.bk(), 'source', c, runKey)) {
        const e = isTombstone(r) ? r.last : r;
        if (e.snapshot) ours.add(`${e.name}\n${e.snapshot}`);
      }
    assert.equal(ours.size, 12 + 2 + 2 + 1, 'every copied version was snapshotted and recorded');
    const before = await baseBlobs();

    const retained = await during('retention', () =>
      fixture.retain(c, { sourceSnapshots: { source: 'source', keepNewest: 1 }, gracePeriodMs: 5000 }),
    );
    // item-000001 and item-000002 had three snapshots of ours, item-000003 two: keepNewest 1 leaves one each.
    deletedSourceSnapshots = retained.deletedSourceSnapshots;
    assert.equal(deletedSourceSnapshots, 2 + 2 + 1);
    for (const name of ['item-000001.json', 'item-000002.json', 'item-000003.json'])
      assert.equal((await snapshotsOf(name)).length, 1, `${name} keeps its newest snapshot`);

    const restored = await during('restore', () =>
      fixture.restore(c, { target: { connection: 'backup', container: uniqueName('sacred-to') } }),
    );
    assert.deepEqual([restored.restored, restored.failed], [12, 0]);

    const drilled = await during('drill', () => fixture.drill(c, { liveSource: 'source', sample: { count: 6 } }));
    assert.deepEqual([drilled.checked, drilled.mismatches.length], [6, 0]);
    assert.ok(drilled.comparedWithSource > 0, 'the drill compared with the live source');

    assert.deepEqual(await baseBlobs(), before, 'retention, restore and drill change no base blob, tag or metadata');
  });

  it('every request to the source is a read, a snapshot, a lease without break, or a recorded snapshot delete', () => {
    assert.ok(recorded.length > 0, 'requests to the source were recorded');
    const byKind = new Map<string, number>();
    const byPhase = new Map<string, number>(
      ['backup', 'backup (leaseMode)', 'reconcile', 'retention', 'restore', 'drill'].map((p) => [p, 0]),
    );
    const forbidden: string[] = [];
    let deletes = 0;
    for (const r of recorded) {
      const verdict = classify(r, ours);
      byKind.set(verdict.kind, (byKind.get(verdict.kind) ?? 0) + 1);
      byPhase.set(r.phase, (byPhase.get(r.phase) ?? 0) + 1);
      if (!verdict.allowed) forbidden.push(`${describeRequest(r)}: ${verdict.why}`);
      if (verdict.kind === 'DELETE snapshot') deletes++;
    }
    console.log(
      `source requests: ${recorded.length}; by kind: ${[...byKind].map(([k, n]) => `${k} ${n}`).join(', ')}; ` +
        `by phase: ${[...byPhase].map(([p, n]) => `${p} ${n}`).join(', ')}`,
    );
    assert.deepEqual(forbidden, [], 'requests to the source that are not reads, snapshots, leases or our deletes');
    for (const kind of ['PUT snapshot', 'PUT lease acquire', 'PUT lease release'])
      assert.ok(byKind.has(kind), `the run sent ${kind}: a check that sees none proves nothing`);
    assert.ok(deletes >= deletedSourceSnapshots && deletes > 0, 'the pruned snapshots were deleted on the source');
  });

  it("someone else's snapshot survives, and so does every snapshot no catalog recorded", async () => {
    assert.ok((await snapshotsOf('item-000000.json')).includes(foreignSnapshot));
    for await (const b of src().listBlobsFlat({ includeSnapshots: true }))
      if (b.snapshot && !ours.has(`${b.name}\n${b.snapshot}`))
        assert.equal(`${b.name}@${b.snapshot}`, `item-000000.json@${foreignSnapshot}`, 'a snapshot nobody took');
  });
});
