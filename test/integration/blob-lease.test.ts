// Lease mode on the real stack: a short lease renewed in time keeps other writers out for longer than its
// duration, and a lease lost mid-copy (broken by another party) fails that item with the reason.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { seedBlobs } from '../../dev/seed';
import { runLeaseId } from '../../src/blob/backup-item';
import { withLease } from '../../src/blob/lease';
import { errorCodeOf } from '../../src/storage/errors';
import type { RequestDecorator } from '../../src/storage/pipeline-policies';
import { ConnectionRegistry } from '../../src/storage/connections';
import { backupContainer } from '../../src/workflows/backup-container';
import { reportLines, runRecords } from '../support/catalog';
import { stackConfig, startTestWorker, uniqueName, type TestWorker } from '../support/stack';

/** Before the copy of a blob whose name contains `marker`: break its source lease, then let renewals fail. */
function breakSourceLeaseBeforeCopy(marker: string, registry: ConnectionRegistry, broken: string[]): RequestDecorator {
  return async (request, next) => {
    const copySource = request.headers.get('x-ms-copy-source');
    if (request.method === 'PUT' && copySource && new URL(request.url).pathname.includes(marker)) {
      const [, , container, ...blob] = new URL(copySource).pathname.split('/');
      const name = decodeURIComponent(blob.join('/'));
      await registry
        .blob('source')
        .service.getContainerClient(container!)
        .getBlobClient(name)
        .getBlobLeaseClient()
        .breakLease(0);
      broken.push(name);
      await sleep(1500); // several renewal periods: the worker finds out while the copy is in flight
    }
    return next(request);
  };
}

describe('lease mode', () => {
  let w: TestWorker;
  const clean = new ConnectionRegistry(stackConfig().connections);
  const broken: string[] = [];
  const backupName = uniqueName('bk-lease');
  const src = (c: string) => clean.blob('source').service.getContainerClient(c);

  before(async () => {
    w = await startTestWorker({
      backupPage: { lease: { seconds: 15, renewEveryMs: 300 } },
      connectionOptions: {
        decorators: (c) => (c === 'backup' ? [breakSourceLeaseBeforeCopy('breakme', clean, broken)] : []),
      },
    });
  });
  after(() => w.stop());

  it("a lease a crashed attempt of the same run left is taken up as its own; another writer's is not", async () => {
    const c = uniqueName('lease-own');
    await seedBlobs(src(c), { count: 2 });
    const signal = new AbortController().signal;
    const timing = { seconds: 15, renewEveryMs: 5_000 };
    const runKey = '20261130T120000000Z-0123abcd';
    // The crashed attempt acquired with the id the run proposes for this blob, and never released it.
    const ours = src(c).getBlobClient('item-000000.json');
    const proposedLeaseId = runLeaseId(runKey, ours.name);
    assert.match(proposedLeaseId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(runLeaseId(runKey, ours.name), proposedLeaseId, 'the same id on every attempt');
    await ours.getBlobLeaseClient(proposedLeaseId).acquireLease(60);
    const held = await withLease(ours, async (lease) => lease.id, signal, { timing, proposedLeaseId });
    assert.equal(held, proposedLeaseId, 'the retried attempt worked under its own lease');
    assert.equal((await ours.getProperties()).leaseState, 'available', 'and released it afterwards');
    // Another writer's lease on the other blob: skipped, never taken over.
    const theirs = src(c).getBlobClient('item-000001.json');
    await theirs.getBlobLeaseClient().acquireLease(60);
    await assert.rejects(
      withLease(theirs, async () => 'ran', signal, { timing, proposedLeaseId: runLeaseId(runKey, theirs.name) }),
      (err: Error) => err.name === 'LeasedByAnotherWriter',
    );
    assert.equal((await theirs.getProperties()).leaseState, 'leased', 'still theirs');
  });

  it('a 15 s lease renewed every 5 s is still held after 17 s; one left unrenewed is lost', async () => {
    const c = uniqueName('lease');
    await seedBlobs(src(c), { count: 2 });
    const [renewed, unrenewed] = ['item-000000.json', 'item-000001.json'].map((n) => src(c).getBlobClient(n));
    const signal = new AbortController().signal;
    const intruder = async (name: string) => {
      await sleep(17_000);
      return src(c)
        .getBlobClient(name)
        .getBlobLeaseClient()
        .acquireLease(15)
        .then(
          () => 'acquired',
          (err: unknown) => errorCodeOf(err),
        );
    };
    const [held, lapsed] = await Promise.allSettled([
      withLease(renewed!, () => intruder(renewed!.name), signal, { timing: { seconds: 15, renewEveryMs: 5_000 } }),
      withLease(unrenewed!, () => intruder(unrenewed!.name), signal, {
        timing: { seconds: 15, renewEveryMs: 600_000 },
      }),
    ]);
    assert.deepEqual(held, { status: 'fulfilled', value: 'LeaseAlreadyPresent' }, 'the renewed lease kept it out');
    // The unrenewed lease expired at 15 s, the intruder took the blob, and withLease noticed on its last check.
    assert.equal(lapsed.status, 'rejected');
    assert.match(String((lapsed as PromiseRejectedResult).reason), /lost the lease on item-000001\.json/);
    assert.equal((await renewed!.getProperties()).leaseState, 'available', 'released after the work');
    assert.equal((await unrenewed!.getProperties()).leaseState, 'leased', "the intruder's lease is left alone");
  });

  it('a lease broken by another party mid-copy fails that item with the reason; the others are backed up', async () => {
    const c = uniqueName('lease-broken');
    await seedBlobs(src(c), { count: 2 });
    await seedBlobs(src(c), { count: 1, prefix: 'breakme-' });
    const r = await w.client.workflow.execute(backupContainer, {
      taskQueue: w.taskQueue,
      workflowId: uniqueName('wf-lease'),
      args: [{ source: 'source', container: c, backup: 'backup', backupContainer: backupName, leaseMode: true }],
    });
    assert.deepEqual(broken, ['breakme-item-000000.json']);
    assert.deepEqual([r.copied, r.failed, r.verified], [2, 1, false]);
    const report = await reportLines(w.connections.blob('backup').service.getContainerClient(backupName), r.report);
    assert.deepEqual(
      report.map((l) => [l.name, l.outcome]),
      [['breakme-item-000000.json', 'failed']],
    );
    assert.match(
      report[0]!.reason,
      /lost the lease on breakme-item-000000\.json .*409 LeaseIsBrokenAndCannotBeRenewed/,
    );
    const records = await runRecords(
      w.connections.blob('backup').service.getContainerClient(backupName),
      'source',
      c,
      r.runKey,
    );
    assert.deepEqual(
      records.map((e) => e.name),
      ['item-000000.json', 'item-000001.json'],
      'no record for the item whose lease was lost',
    );
  });
});
