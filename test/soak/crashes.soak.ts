// Soak: the worker SIGKILLed five times during a 20,000-blob backup (in a listing, mid-page, in the drain
// before a continue-as-new, in the next run's pages, in the commit), a fresh worker process after each.
// The run completes, its catalog equals an uninterrupted run's (run after it), and no more items are
// found already copied than the killed pages had not journaled. Then one byte flipped in one of its
// 20,000 copies is found by a scrub, which names the blob, its copy and the run.
import { WorkflowFailedError } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ContainerClient } from '@azure/storage-blob';
import type { ManagedProcess } from '../../dev/managed-process';
import { seedBlobs, type SeededBlob } from '../../dev/seed';
import { readNdjson } from '../../src/catalog/ndjson-blob';
import { CatalogStore } from '../../src/catalog/store';
import { catalogPaths, catalogScope } from '../../src/domain/catalog-layout';
import { isTombstone, type CatalogEntry } from '../../src/domain/catalog-record';
import { mapWithConcurrency } from '../../src/lib/async-pool';
import { statusCodeOf } from '../../src/storage/errors';
import {
  backupContainer,
  progressQuery,
  type BackupContainerInput,
  type BackupContainerResult,
  type BackupProgress,
} from '../../src/workflows/backup-container';
import { scrubBackup, type ScrubBackupResult } from '../../src/workflows/scrub-backup';
import { seededRandom } from '../../src/domain/sampling';
import { download } from '../support/catalog';
import { rootApplicationFailure } from '../support/failures';
import { uniqueName } from '../support/stack';
import { workerProcess } from '../support/worker-process';
import { recordFigures, seconds, soakSeed, useSoakStack } from './soak-support';

// $AZBACKUP_SOAK_CRASH_BLOBS (a multiple of 4,000) scales the file down for a quick try of the tooling.
const BLOBS = Number(process.env.AZBACKUP_SOAK_CRASH_BLOBS ?? 20_000);
const PAGE = BLOBS / 40;
const WINDOW = 4;
const PAGES_PER_RUN = 10;
const STARTED = temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED;
const RUNNING = temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;

interface Kill {
  moment: string;
  atMs: number;
  runId: string;
  pagesInFlight: number[];
  /** Items of those pages that no journal named when the worker died: the most that can be redone. */
  unjournaled: number;
}

describe('soak: worker killed five times during a 20,000-blob backup', () => {
  const soak = useSoakStack();
  const container = uniqueName('soak-crash');
  const killedBackup = uniqueName('bk-killed');
  const taskQueue = uniqueName('tq-soak-crash');
  let worker: ManagedProcess | undefined;
  let workers = 0;
  let seeded: SeededBlob[] = [];
  let killedRun: BackupContainerResult | undefined;
  const bk = (name: string): ContainerClient => soak.clean.blob('backup').service.getContainerClient(name);
  const src = (): ContainerClient => soak.clean.blob('source').service.getContainerClient(container);
  const startWorker = async () => {
    worker = await workerProcess(taskQueue, `soak worker ${++workers}`);
  };

  before(async () => {
    const t0 = Date.now();
    seeded = await seedBlobs(src(), { count: BLOBS, concurrency: 48 });
    console.log(`[soak] seeded ${BLOBS} blobs in ${seconds(Date.now() - t0)}`);
  });
  after(() => worker?.stop());

  it('survives 5 SIGKILLs: completes, same catalog as an uninterrupted run, recopies bounded by the pages in flight', async () => {
    const workflowId = uniqueName('wf-soak-crash');
    const input: BackupContainerInput = {
      source: 'source',
      container,
      backup: 'backup',
      backupContainer: killedBackup,
      pageSize: PAGE,
      maxConcurrentPages: WINDOW,
      maxPagesPerRun: PAGES_PER_RUN,
    };
    await startWorker();
    const t0 = Date.now();
    const started = await soak.client.workflow.start(backupContainer, { taskQueue, workflowId, args: [input] });
    const firstRunId = started.firstExecutionRunId;
    const latest = soak.client.workflow.getHandle(workflowId);
    let progress: BackupProgress | undefined;
    let runId = firstRunId;
    const poll = async () => {
      progress = await latest.query(progressQuery);
      runId = (await latest.describe()).runId;
      return progress;
    };
    const activityStarted = async (type: string) =>
      ((await latest.describe()).raw.pendingActivities ?? []).some(
        (a) => a.activityType?.name === type && a.state === STARTED,
      );
    await waitFor(async () => (await poll()).runKey !== undefined, 'the run key');
    const runKey = progress!.runKey!;
    const scope = catalogScope('source', container);

    const kills: Kill[] = [];
    const kill = async (moment: string, ready: () => Promise<boolean>) => {
      await waitFor(ready, moment);
      worker!.kill('SIGKILL');
      await worker!.waitForExit();
      const atMs = Date.now() - t0;
      // Requests the dead process had sent may still land: read the journals once they have.
      await new Promise((r) => setTimeout(r, 1_000));
      const pagesInFlight = await pagesRunning(workflowId, runKey, (progress?.pagesListed ?? 0) + WINDOW);
      let unjournaled = 0;
      for (const i of pagesInFlight)
        unjournaled += (await inventorySize(scope, runKey, i)) - (await journaled(scope, runKey, i));
      kills.push({ moment, atMs, runId, pagesInFlight, unjournaled });
      console.log(
        `[soak] kill ${kills.length} (${moment}) at ${seconds(atMs)}: pages in flight ${pagesInFlight.join(',') || 'none'}, ${unjournaled} items not journaled`,
      );
      await startWorker();
    };
    const pagesRunning = async (id: string, key: string, upTo: number) => {
      const running: number[] = [];
      await mapWithConcurrency(
        Array.from({ length: Math.min(upTo, BLOBS / PAGE) }, (_, i) => i),
        8,
        async (i) => {
          const d = await soak.client.workflow
            .getHandle(`${id}/${key}/page-${i}`)
            .describe()
            .catch(() => undefined);
          if (d?.raw.workflowExecutionInfo?.status === RUNNING) running.push(i);
        },
      );
      return running.sort((a, b) => a - b);
    };
    const inventorySize = async (s: string, key: string, i: number) => {
      let n = 0;
      for await (const _ of readNdjson(bk(killedBackup).getBlobClient(catalogPaths.inventory(s, key, i)))) n++;
      return n;
    };
    const journaled = async (s: string, key: string, i: number) => {
      const text = await bk(killedBackup)
        .getBlobClient(catalogPaths.journal(s, key, i))
        .downloadToBuffer()
        .then(
          (b) => b.toString('utf8'),
          (err: unknown) => {
            if (statusCodeOf(err) === 404) return '';
            throw err;
          },
        );
      const done = new Set<string>();
      for (const line of text.split('\n').filter(Boolean)) {
        const r = JSON.parse(line) as { name: string; outcome: string };
        if (r.outcome !== 'failed') done.add(r.name);
      }
      return done.size;
    };

    await kill('in a listing', () => activityStarted('listInventoryPage'));
    await kill('mid-page', async () => {
      const p = await poll();
      return runId === firstRunId && p.pagesDone >= 2 && p.pagesListed - p.pagesDone >= 2;
    });
    await kill('in the drain before continue-as-new', async () => {
      const p = await poll();
      return runId === firstRunId && p.pagesListed >= PAGES_PER_RUN && p.pagesDone <= PAGES_PER_RUN - 2;
    });
    await kill("in the next run's pages", async () => {
      const p = await poll();
      return runId !== firstRunId && p.pagesDone >= PAGES_PER_RUN + 2 && p.pagesListed - p.pagesDone >= 2;
    });
    await kill('in the commit', () => activityStarted('commitRun'));
    const result = await started.result();
    const killedMs = Date.now() - t0;
    killedRun = result;

    // The parent's runs, from the first through each continue-as-new.
    const runIds: string[] = [];
    for (let id: string | undefined = firstRunId; id;) {
      runIds.push(id);
      const history = await soak.client.workflow.getHandle(workflowId, id).fetchHistory();
      id = history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
    }

    const t1 = Date.now();
    const clean = await soak.client.workflow.execute(backupContainer, {
      taskQueue,
      workflowId: uniqueName('wf-soak-clean'),
      args: [{ ...input, backupContainer: uniqueName('bk-clean') }],
    });
    const cleanMs = Date.now() - t1;

    const bound = kills.reduce((n, k) => n + k.unjournaled, 0);
    const killedCatalog = await catalogOf(bk(killedBackup), container, result.runKey);
    const cleanCatalog = await catalogOf(bk(clean.backupContainer), container, clean.runKey);
    const copies = await countBlobs(bk(killedBackup), `data/source/${container}/`);
    const manifests = await countBlobs(bk(killedBackup), catalogPaths.manifestsPrefix(scope));
    const snapshots = await sourceSnapshots(src());
    const recorded = new Map<string, number>();
    for (const c of [killedCatalog, cleanCatalog])
      for (const e of c.values())
        recorded.set(`${e.name} ${e.snapshot}`, (recorded.get(`${e.name} ${e.snapshot}`) ?? 0) + 1);
    const orphans = [...snapshots].filter((s) => !recorded.has(s));
    const missing = [...recorded.keys()].filter((s) => !snapshots.has(s));
    recordFigures({
      test: 'crashes',
      summary:
        `${kills.length} SIGKILLs survived (${kills.map((k) => k.moment).join('; ')}), ${runIds.length} runs; ` +
        `${result.copied} copied + ${result.skipped} found already copied (bound ${bound}: items of killed pages not journaled); ` +
        `items lost ${BLOBS - killedCatalog.size}; catalog equal to an uninterrupted run's: ${sameCatalog(killedCatalog, cleanCatalog)}; ` +
        `orphaned source snapshots ${orphans.length}; killed run ${seconds(killedMs)}, uninterrupted ${seconds(cleanMs)}`,
      figures: {
        blobs: BLOBS,
        kills,
        runs: runIds.length,
        copied: result.copied,
        foundAlreadyCopied: result.skipped,
        recopyBound: bound,
        itemsLost: BLOBS - killedCatalog.size,
        orphanedSnapshots: orphans.length,
        killedRunMs: killedMs,
        uninterruptedRunMs: cleanMs,
      },
    });

    assert.deepEqual([result.failed, result.verified, result.listed, result.pages], [0, true, BLOBS, BLOBS / PAGE]);
    assert.equal(kills.length, 5);
    assert.ok(kills[0]!.runId === firstRunId && kills[2]!.runId === firstRunId, 'kills 1-3 in the first run');
    assert.notEqual(kills[3]!.runId, firstRunId, 'the run killed in its drain continued as new');
    assert.equal(runIds.length, BLOBS / PAGE / PAGES_PER_RUN, 'continued as new every 10 pages');
    assert.ok(kills[2]!.pagesInFlight.length >= 2, 'the drain was killed with pages in flight');
    assert.equal(result.copied + result.skipped, BLOBS);
    assert.ok(result.skipped <= bound, `found already copied ${result.skipped} <= not journaled at the kills ${bound}`);
    assert.equal(killedCatalog.size, BLOBS, 'every blob cataloged');
    assert.ok(
      [...killedCatalog.values()].every((e) => e.verified),
      'every entry verified',
    );
    for (const b of seeded) assert.equal(killedCatalog.get(b.name)?.md5, b.md5, b.name);
    assert.deepEqual(normalized(killedCatalog), normalized(cleanCatalog));
    assert.deepEqual(
      [result.listed, result.new, result.unchanged, result.deleted, result.failed, result.snapshotted],
      [clean.listed, clean.new, clean.unchanged, clean.deleted, clean.failed, clean.snapshotted],
    );
    assert.equal(copies, BLOBS, 'exactly one copy per blob');
    assert.equal(manifests, 1, 'one manifest');
    assert.deepEqual(missing, [], 'every recorded snapshot exists');
    assert.ok(
      [...recorded.values()].every((n) => n === 1),
      'every snapshot recorded by one catalog',
    );
    assert.deepEqual(orphans, [], 'no source snapshot that no catalog records');
  });

  it('a scrub finds one flipped byte among the 20,000 copies and names the blob, its copy and the run', async () => {
    assert.ok(killedRun, 'needs the killed run of the test before');
    const entries = [...(await catalogOf(bk(killedBackup), container, killedRun.runKey)).values()];
    const random = seededRandom(soakSeed());
    const victim = entries[Math.floor(random() * entries.length)]!;
    const copy = bk(killedBackup).getBlockBlobClient(victim.copy);
    const props = await copy.getProperties();
    const bytes = await download(copy);
    const offset = Math.floor(random() * bytes.length);
    bytes[offset]! ^= 1 << Math.floor(random() * 8);
    // Rewritten with its stored Content-MD5 put back: only reading the bytes can tell.
    const id = Buffer.from('flip').toString('base64');
    await copy.stageBlock(id, bytes, bytes.length);
    await copy.commitBlockList([id], { metadata: props.metadata });
    await copy.setHTTPHeaders({ blobContentMD5: props.contentMD5, blobContentType: props.contentType });

    const t0 = Date.now();
    const err = await soak.client.workflow
      .execute(scrubBackup, {
        taskQueue,
        workflowId: uniqueName('wf-soak-scrub'),
        args: [
          {
            backup: 'backup',
            backupContainer: killedBackup,
            source: { account: 'source', container },
            run: killedRun.runKey,
          },
        ],
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    const scrubMs = Date.now() - t0;
    assert.ok(err instanceof WorkflowFailedError, String(err));
    const failure = rootApplicationFailure(err)! as ApplicationFailure;
    const result = failure.details?.[0] as ScrubBackupResult;
    recordFigures({
      test: 'corruption',
      summary:
        `1 flipped byte (offset ${offset} of ${bytes.length}) in ${victim.name} among ${entries.length} copies: ` +
        `scrub found ${result?.mismatched} mismatched, ${result?.missing} missing in ${result?.checked} checked, ` +
        `naming ${victim.name} (${victim.copy}) of run ${result?.runKey}, in ${seconds(scrubMs)}`,
      figures: {
        copies: entries.length,
        blob: victim.name,
        copy: victim.copy,
        offset,
        size: bytes.length,
        run: killedRun.runKey,
        scrub: result && {
          checked: result.checked,
          mismatched: result.mismatched,
          missing: result.missing,
          runKey: result.runKey,
        },
        scrubMs,
      },
    });
    assert.equal(failure.type, 'ScrubMismatch');
    assert.equal(failure.nonRetryable, true);
    assert.ok(
      failure.message.startsWith(`Scrub of run ${killedRun.runKey} of `) &&
        failure.message.includes(`found 1 bad copy (1 mismatched, 0 missing) in ${BLOBS}: `),
      failure.message,
    );
    assert.ok(failure.message.includes(`${victim.name} (${victim.copy}): bytes hash to`), failure.message);
    assert.deepEqual(
      [result.runKey, result.checked, result.mismatched, result.missing],
      [killedRun.runKey, BLOBS, 1, 0],
    );
    const lines: { name: string; reason: string }[] = [];
    for await (const l of readNdjson<{ name: string; reason: string }>(bk(killedBackup).getBlobClient(result.report)))
      lines.push(l);
    assert.deepEqual(
      lines.map((l) => l.name),
      [victim.name],
    );
  });
});

async function waitFor(check: () => Promise<boolean>, what: string, timeoutInMs = 20 * 60_000): Promise<void> {
  const deadline = Date.now() + timeoutInMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for the moment: ${what}`);
}

type Stable = Omit<CatalogEntry, 'snapshot' | 'backedUpAt'>;

async function catalogOf(
  backup: ContainerClient,
  container: string,
  runKey: string,
): Promise<Map<string, CatalogEntry>> {
  const out = new Map<string, CatalogEntry>();
  for await (const r of new CatalogStore(backup, catalogScope('source', container)).records(runKey))
    if (!isTombstone(r)) out.set(r.name, r);
  return out;
}

/** What two runs of the same source must agree on: all but the snapshot taken and the time. */
function normalized(catalog: Map<string, CatalogEntry>): Map<string, Stable> {
  return new Map(
    [...catalog].map(([name, { snapshot: _s, backedUpAt: _b, ...stable }]) => [name, stable] as [string, Stable]),
  );
}

function sameCatalog(a: Map<string, CatalogEntry>, b: Map<string, CatalogEntry>): boolean {
  try {
    assert.deepEqual(normalized(a), normalized(b));
    return true;
  } catch {
    return false;
  }
}

async function countBlobs(container: ContainerClient, prefix: string): Promise<number> {
  let n = 0;
  for await (const _ of container.listBlobsFlat({ prefix })) n++;
  return n;
}

/**
 * Every snapshot in the source container, as `name snapshot`. Listed by 100-name prefix, each in one
 * page: Azurite drops entries when one blob's snapshots are split across a page boundary.
 */
async function sourceSnapshots(container: ContainerClient): Promise<Set<string>> {
  const out = new Set<string>();
  await mapWithConcurrency(
    Array.from({ length: BLOBS / 100 }, (_, k) => `item-${String(k).padStart(4, '0')}`),
    8,
    async (prefix) => {
      const page = await container
        .listBlobsFlat({ prefix, includeSnapshots: true })
        .byPage({ maxPageSize: 5000 })
        .next();
      assert.equal(page.value.continuationToken || undefined, undefined, `one page for ${prefix}`);
      for (const b of page.value.segment.blobItems) if (b.snapshot) out.add(`${b.name} ${b.snapshot}`);
    },
  );
  return out;
}
