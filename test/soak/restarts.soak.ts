// Soak: the services restarted under a running backup (a persistent stack: state on disk). Azurite is
// stopped for 20 s, longer than the storage SDK retries a request, and started again on its files; later
// the Temporal dev server is stopped for 8 s and started again on its database file. The same worker
// process carries the run to completion, every blob copied, cataloged and verified.
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { ContainerClient } from '@azure/storage-blob';
import type { ManagedProcess } from '../../dev/managed-process';
import { seedBlobs } from '../../dev/seed';
import { CatalogStore } from '../../src/catalog/store';
import { catalogScope } from '../../src/domain/catalog-layout';
import { isTombstone, type CatalogEntry } from '../../src/domain/catalog-record';
import { mapWithConcurrency } from '../../src/lib/async-pool';
import {
  backupContainer,
  progressQuery,
  type BackupContainerResult,
  type BackupProgress,
} from '../../src/workflows/backup-container';
import { uniqueName } from '../support/stack';
import { workerProcess } from '../support/worker-process';
import { recordFigures, seconds, useSoakStack } from './soak-support';

const BLOBS = 3_000;
const PAGE = 250;
const AZURITE_DOWN_MS = 20_000;
const TEMPORAL_DOWN_MS = 8_000;

describe('soak: services restarted mid-run', () => {
  const soak = useSoakStack({ persistent: true });
  let worker: ManagedProcess | undefined;
  after(() => worker?.stop());

  it('Azurite restarted (down 20 s, state on disk), then Temporal (down 8 s, its database file) → the run continues and completes, 100 % verified', async () => {
    const container = uniqueName('soak-restart');
    const backupName = uniqueName('bk-restart');
    const src = (): ContainerClient => soak.clean.blob('source').service.getContainerClient(container);
    const bk = (): ContainerClient => soak.clean.blob('backup').service.getContainerClient(backupName);
    const seeded = await seedBlobs(src(), { count: BLOBS });
    const taskQueue = uniqueName('tq-soak-restart');
    worker = await workerProcess(taskQueue, 'soak worker');
    const workflowId = uniqueName('wf-soak-restart');
    const t0 = Date.now();
    const handle = await soak.client.workflow.start(backupContainer, {
      taskQueue,
      workflowId,
      args: [
        {
          source: 'source',
          container,
          backup: 'backup',
          backupContainer: backupName,
          pageSize: PAGE,
          maxConcurrentPages: 4,
          maxRequestsPerSecond: 150, // slow enough that both outages land mid-run
        },
      ],
    });
    const progressed = (check: (p: BackupProgress) => boolean) =>
      waitFor(async () => check(await handle.query(progressQuery)));

    await progressed((p) => p.pagesDone >= 2);
    const azuriteAtMs = Date.now() - t0;
    await soak.stack.restart('azurite', { downForMs: AZURITE_DOWN_MS });
    const before = await handle.query(progressQuery);
    await progressed((p) => p.pagesDone >= before.pagesDone + 2);
    const temporalAtMs = Date.now() - t0;
    await soak.stack.restart('temporal', { downForMs: TEMPORAL_DOWN_MS });
    const r = await resultThroughOutages(handle);
    const elapsedMs = Date.now() - t0;

    const entries = new Map<string, CatalogEntry>();
    for await (const e of new CatalogStore(bk(), catalogScope('source', container)).records(r.runKey))
      if (!isTombstone(e)) entries.set(e.name, e);
    const bad = (
      await mapWithConcurrency(seeded, 16, async (b) => {
        const e = entries.get(b.name);
        const p = e && (await bk().getBlobClient(e.copy).getProperties());
        const md5 = p?.contentMD5 && Buffer.from(p.contentMD5).toString('base64');
        return e?.verified && e.md5 === b.md5 && md5 === b.md5 ? undefined : b.name;
      })
    ).filter(Boolean);
    const retried = await retriedActivities(handle, r);
    recordFigures({
      test: 'restarts',
      summary:
        `Azurite down ${seconds(AZURITE_DOWN_MS)} at ${seconds(azuriteAtMs)}, Temporal down ${seconds(TEMPORAL_DOWN_MS)} at ${seconds(temporalAtMs)}: ` +
        `completed in ${seconds(elapsedMs)} on the same worker process, ${r.copied} copied + ${r.skipped} found already copied of ${BLOBS}, ` +
        `verified ${r.verified}, items lost ${BLOBS - entries.size + bad.length}; activities retried: ${retried.join(', ') || 'none'}`,
      figures: {
        blobs: BLOBS,
        azuriteDownMs: AZURITE_DOWN_MS,
        azuriteAtMs,
        temporalDownMs: TEMPORAL_DOWN_MS,
        temporalAtMs,
        elapsedMs,
        result: r,
        retried,
        itemsLost: BLOBS - entries.size + bad.length,
      },
    });
    assert.equal(worker.hasExited, false, 'the same worker process carried the run through both outages');
    assert.deepEqual([r.listed, r.failed, r.verified], [BLOBS, 0, true]);
    assert.equal(r.copied + r.skipped, BLOBS);
    assert.equal(entries.size, BLOBS, 'every blob cataloged');
    assert.deepEqual(bad, [], 'every copy there, with the source bytes, verified');
    assert.ok(retried.length > 0, 'the Azurite outage outlasted the SDK retries: an activity needed another attempt');
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutInMs = 10 * 60_000): Promise<void> {
  const deadline = Date.now() + timeoutInMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('timed out waiting for the run to progress');
}

/** The run's result; the client's own calls may fail while Temporal is down, the run's failure may not. */
async function resultThroughOutages(handle: WorkflowHandle<typeof backupContainer>): Promise<BackupContainerResult> {
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      return await handle.result();
    } catch (err) {
      if (err instanceof WorkflowFailedError || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }
}

/** `activity #attempt` of every activity that needed more than one attempt (parent runs and pages). */
async function retriedActivities(
  handle: WorkflowHandle<typeof backupContainer>,
  r: BackupContainerResult,
): Promise<string[]> {
  const client = handle.client;
  const ids = [
    handle.workflowId,
    ...Array.from({ length: r.pages }, (_, i) => `${handle.workflowId}/${r.runKey}/page-${i}`),
  ];
  const out: string[] = [];
  for (const id of ids) {
    const events = (await client.getHandle(id).fetchHistory()).events ?? [];
    const types = new Map<string, string>();
    for (const e of events) {
      const scheduled = e.activityTaskScheduledEventAttributes;
      if (scheduled) types.set(String(e.eventId), scheduled.activityType?.name ?? '?');
      const started = e.activityTaskStartedEventAttributes;
      if (started && (started.attempt ?? 1) > 1)
        out.push(`${types.get(String(started.scheduledEventId)) ?? '?'} #${started.attempt}`);
    }
  }
  return out;
}
