// Soak: injected faults (test/support/chaos.ts). 10 % of the requests to both accounts answered with
// 500, 503 (with and without Retry-After), a hang until the per-try timeout, or a dropped connection,
// on every kind of request (writes also after the service acted) → the run completes, 100 % verified.
// The backup account answering 503 to everything mid-run → the run fails after bounded retries with a
// clear reason, nothing committed, the copies made before the outage left in place.
import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure } from '@temporalio/common';
import type { ContainerClient } from '@azure/storage-blob';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { seedBlobs } from '../../dev/seed';
import { CatalogStore } from '../../src/catalog/store';
import { readNdjson } from '../../src/catalog/ndjson-blob';
import { catalogPaths, catalogScope } from '../../src/domain/catalog-layout';
import { isTombstone, type CatalogEntry, type CatalogRecord } from '../../src/domain/catalog-record';
import { mapWithConcurrency } from '../../src/lib/async-pool';
import { backupContainer, progressQuery, type BackupContainerInput } from '../../src/workflows/backup-container';
import { MAX_ACTIVITY_ATTEMPTS } from '../../src/workflows/workflow-rules';
import { Chaos, FAULTS, type Fault } from '../support/chaos';
import { errorAnswer } from '../support/chaos-answers';
import { startTestWorker, uniqueName, type TestWorker } from '../support/stack';
import { recordFigures, seconds, soakSeed, useSoakStack } from './soak-support';

const TIMEOUT_MS = 10_000;
const FAULTED_KINDS = ['listing', 'snapshot', 'copy', 'journal', 'chunk', 'manifest'] as const;

/** $AZBACKUP_SOAK_FAULTS=500,reset narrows the mix (to chase one fault); default all. */
function faultMix(): readonly Fault[] {
  const chosen = process.env.AZBACKUP_SOAK_FAULTS?.split(',').filter((f): f is Fault => FAULTS.includes(f as Fault));
  return chosen?.length ? chosen : FAULTS;
}

describe('soak: injected faults', { concurrency: 2 }, () => {
  const soak = useSoakStack();
  const seed = soakSeed();
  const chaos = {
    source: new Chaos({ rate: 0.1, seed, faults: faultMix(), firstOfEachKind: true }),
    backup: new Chaos({ rate: 0.1, seed: seed + 1, faults: faultMix(), firstOfEachKind: true }),
  };
  const outage = { on: false, copiesBefore: new Set<string>(), answered: 0, threshold: 300 };
  let chaotic: TestWorker;
  let failing: TestWorker;
  before(async () => {
    chaotic = await startTestWorker({
      connectionOptions: {
        // A hung request is abandoned (and retried) after 10 s: at 2 s a loaded machine's own slow answers
        // outnumbered the injected faults (2,338 to 1,547 at load 30).
        requestTimeoutInMs: TIMEOUT_MS,
        decorators: (c) => (c === 'source' || c === 'backup' ? [chaos[c].decorator] : []),
      },
    });
    failing = await startTestWorker({
      connectionOptions: {
        decorators: (c) =>
          c === 'backup'
            ? [
                async (request, next) => {
                  if (outage.on) {
                    outage.answered++;
                    return errorAnswer(
                      request,
                      503,
                      'ServerBusy',
                      'The server is currently unable to receive requests.',
                    );
                  }
                  const response = await next(request);
                  const url = new URL(request.url);
                  if (
                    request.headers.get('x-ms-copy-source') &&
                    !url.searchParams.has('comp') &&
                    response.status < 300
                  ) {
                    outage.copiesBefore.add(decodeURIComponent(url.pathname).split('/').slice(3).join('/'));
                    if (outage.copiesBefore.size >= outage.threshold) outage.on = true;
                  }
                  return response;
                },
              ]
            : [],
      },
    });
  });
  after(async () => {
    await chaotic?.stop();
    await failing?.stop();
  });
  const bk = (name: string): ContainerClient => soak.clean.blob('backup').service.getContainerClient(name);
  const src = (name: string): ContainerClient => soak.clean.blob('source').service.getContainerClient(name);
  const input = (container: string, backupName: string): BackupContainerInput => ({
    source: 'source',
    container,
    backup: 'backup',
    backupContainer: backupName,
    pageSize: 250,
    maxConcurrentPages: 4,
  });

  it('10 % of requests to both accounts faulted (500, 503 ± Retry-After, timeouts, resets) → completes, 100 % verified', async () => {
    const BLOBS = 3_000;
    const container = uniqueName('soak-chaos');
    const backupName = uniqueName('bk-chaos');
    const seeded = await seedBlobs(src(container), { count: BLOBS });
    const workflowId = uniqueName('wf-soak-chaos');
    const t0 = Date.now();
    const handle = await chaotic.client.workflow.start(backupContainer, {
      taskQueue: chaotic.taskQueue,
      workflowId,
      args: [input(container, backupName)],
    });
    const r = await handle.result().catch((err: unknown) => {
      const chain: string[] = [];
      for (let e: unknown = err; e instanceof Error; e = e.cause) chain.push(`${e.name}: ${e.message}`);
      recordFigures({
        test: 'faults 10 %',
        summary: `FAILED after ${seconds(Date.now() - t0)} with ${chaos.source.total + chaos.backup.total} faults injected: ${chain.join(' <- ')}`,
        figures: { failure: chain, stack: err instanceof Error ? errorStacks(err) : undefined, seed },
      });
      throw err;
    });
    const elapsedMs = Date.now() - t0;

    const entries = new Map<string, CatalogEntry>();
    for await (const e of new CatalogStore(bk(backupName), catalogScope('source', container)).records(r.runKey))
      if (!isTombstone(e)) entries.set(e.name, e);
    const badCopies: string[] = [];
    await mapWithConcurrency(seeded, 16, async (b) => {
      const e = entries.get(b.name);
      const p = e && (await bk(backupName).getBlobClient(e.copy).getProperties());
      const md5 = p?.contentMD5 && Buffer.from(p.contentMD5).toString('base64');
      if (!e || !e.verified || e.md5 !== b.md5 || md5 !== b.md5 || p?.contentLength !== b.size) badCopies.push(b.name);
    });
    const attempts = await maxActivityAttempts(chaotic.client, handle, r.runKey, r.pages);
    const byKind = { source: chaos.source.totals('kind'), backup: chaos.backup.totals('kind') };
    const byFault = mergeCounts(chaos.source.totals('fault'), chaos.backup.totals('fault'));
    const requests = mergeCounts(Object.fromEntries(chaos.source.requests), Object.fromEntries(chaos.backup.requests));
    const total = chaos.source.total + chaos.backup.total;
    // Copies made whose answer never came back: lost on purpose, or the loaded service slower than the timeout.
    const slowCopies = chaos.backup.timedOut.get('copy') ?? 0;
    const lostCopies =
      (chaos.backup.injected.get('copy timeout-after') ?? 0) +
      (chaos.backup.injected.get('copy reset-after') ?? 0) +
      slowCopies;
    const slow = mergeCounts(Object.fromEntries(chaos.source.timedOut), Object.fromEntries(chaos.backup.timedOut));
    recordFigures({
      test: 'faults 10 %',
      summary:
        `${total} faults injected in ${sum(requests)} requests (${fmt(byFault)}); by kind ${fmt(mergeCounts(byKind.source, byKind.backup))}; ` +
        `${r.copied} copied + ${r.skipped} found already copied of ${BLOBS}, ${r.failed} failed, verified ${r.verified}, ` +
        `items lost ${BLOBS - entries.size + badCopies.length}; most attempts of one activity ${attempts}; ` +
        `not injected but slower than the ${seconds(TIMEOUT_MS)} timeout: ${fmt(slow) || 'none'}; ${seconds(elapsedMs)}`,
      figures: {
        blobs: BLOBS,
        requests,
        injected: total,
        timedOutNotInjected: slow,
        byFault,
        byKind,
        result: r,
        attempts,
        itemsLost: BLOBS - entries.size + badCopies.length,
        elapsedMs,
        seed,
      },
    });

    for (const kind of FAULTED_KINDS)
      assert.ok((byKind.source[kind] ?? 0) + (byKind.backup[kind] ?? 0) > 0, `a ${kind} request was faulted`);
    for (const fault of FAULTS)
      assert.ok((byFault[fault] ?? 0) + (byFault[`${fault}-after`] ?? 0) > 0, `${fault} injected`);
    assert.ok(
      (byFault['timeout-after'] ?? 0) + (byFault['reset-after'] ?? 0) > 0,
      'a write lost after the service acted',
    );
    assert.deepEqual([r.listed, r.failed, r.verified], [BLOBS, 0, true]);
    assert.equal(r.copied + r.skipped, BLOBS, 'every blob copied (or its copy found made by a lost answer)');
    assert.ok(
      r.skipped <= lostCopies,
      `found already copied ${r.skipped} <= copy answers lost ${lostCopies} (${slowCopies} to real slowness)`,
    );
    assert.equal(entries.size, BLOBS, 'every blob cataloged');
    assert.deepEqual(badCopies, [], 'every copy verified, with the source bytes');
    // The SDK's retries absorb most faults; an activity retried is a figure (a loaded machine's slowness
    // adds its own), an activity out of attempts would have failed the run.
    assert.ok(attempts < MAX_ACTIVITY_ATTEMPTS, `no activity ran out of attempts (most: ${attempts})`);
  });

  it('the backup account answering 503 to everything mid-run → fails after bounded retries, nothing committed, copies left', async () => {
    const BLOBS = 1_000;
    const container = uniqueName('soak-outage');
    const backupName = uniqueName('bk-outage');
    await seedBlobs(src(container), { count: BLOBS });
    const t0 = Date.now();
    const handle = await failing.client.workflow.start(backupContainer, {
      taskQueue: failing.taskQueue,
      workflowId: uniqueName('wf-soak-outage'),
      args: [{ ...input(container, backupName), pageSize: 100, maxConcurrentPages: 2 }],
    });
    let runKey: string | undefined;
    while (!runKey && !outage.on) {
      runKey = (await handle.query(progressQuery).catch(() => undefined))?.runKey;
      await new Promise((r) => setTimeout(r, 200));
    }
    const err = await handle.result().then(
      () => undefined,
      (e: unknown) => e,
    );
    const failedAfterMs = Date.now() - t0;
    assert.ok(err instanceof WorkflowFailedError, `the run failed: ${String(err)}`);
    const chain: Error[] = [];
    for (let e: unknown = err; e instanceof Error; e = e.cause) chain.push(e);
    const activity = chain.find((e): e is ActivityFailure => e instanceof ActivityFailure);
    const reason = chain.at(-1)!.message;
    const scope = catalogScope('source', container);
    let manifests = 0;
    for await (const _ of bk(backupName).listBlobsFlat({ prefix: catalogPaths.manifestsPrefix(scope) })) manifests++;
    const left = await mapWithConcurrency([...outage.copiesBefore], 16, (name) =>
      bk(backupName).getBlobClient(name).exists(),
    );
    // Chunks of pages finished before the outage: what they call verified is there, with its size.
    const chunked: CatalogRecord[] = [];
    for await (const b of bk(backupName).listBlobsFlat({ prefix: catalogPaths.pagesPrefix(scope, runKey!) }))
      for await (const rec of readNdjson<CatalogRecord>(bk(backupName).getBlobClient(b.name))) chunked.push(rec);
    const claimed = chunked.filter((e): e is CatalogEntry => !isTombstone(e) && e.verified);
    const unfounded = (
      await mapWithConcurrency(claimed, 16, async (e) => {
        const p = await bk(backupName)
          .getBlobClient(e.copy)
          .getProperties()
          .catch(() => undefined);
        return p?.contentLength === e.size ? undefined : e.name;
      })
    ).filter(Boolean);
    recordFigures({
      test: 'faults 100 % 503',
      summary:
        `backup account answered 503 to ${outage.answered} requests after ${outage.copiesBefore.size} copies: failed after ${seconds(failedAfterMs)} ` +
        `(${activity?.activityType ?? 'no activity'} ${String(activity?.retryState ?? '')}): "${reason.slice(0, 160)}"; ` +
        `manifests 0 = ${manifests === 0}; ${left.filter(Boolean).length}/${left.length} earlier copies left; ` +
        `${claimed.length} entries called verified in finished pages' chunks, ${unfounded.length} without their copy`,
      figures: {
        blobs: BLOBS,
        answered503: outage.answered,
        copiesBefore: outage.copiesBefore.size,
        failedAfterMs,
        activity: activity?.activityType,
        retryState: String(activity?.retryState ?? ''),
        reason,
        manifests,
        copiesLeft: left.filter(Boolean).length,
        verifiedInChunks: claimed.length,
      },
    });
    assert.ok(outage.on, 'the outage began mid-run');
    assert.match(reason, /ServerBusy|503|server is currently unable/i, 'the reason names the busy service');
    assert.ok(reason.includes(`/backup/${backupName}`), `the reason names the account and container: ${reason}`);
    assert.ok(activity, 'an activity failed');
    assert.match(String(activity.retryState), /MAXIMUM_ATTEMPTS/, 'after its bounded retries');
    assert.equal(manifests, 0, 'no manifest: the run is not committed');
    assert.ok(
      left.length >= outage.threshold && left.every(Boolean),
      'every copy made before the outage left in place',
    );
    assert.deepEqual(unfounded, [], 'nothing cataloged as verified whose copy is not there');
  });
});

/** The most attempts any activity of the run needed: the parent's runs and every page child. */
async function maxActivityAttempts(
  client: TestWorker['client'],
  handle: WorkflowHandleWithFirstExecutionRunId,
  runKey: string,
  pages: number,
): Promise<number> {
  const histories = [];
  for (let id: string | undefined = handle.firstExecutionRunId; id;) {
    const h = await client.workflow.getHandle(handle.workflowId, id).fetchHistory();
    histories.push(h);
    id = h.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  histories.push(
    ...(await mapWithConcurrency(
      Array.from({ length: pages }, (_, i) => i),
      8,
      (i) => client.workflow.getHandle(`${handle.workflowId}/${runKey}/page-${i}`).fetchHistory(),
    )),
  );
  let most = 1;
  for (const h of histories)
    for (const e of h.events ?? []) most = Math.max(most, e.activityTaskStartedEventAttributes?.attempt ?? 1);
  return most;
}

/** The stack of each error in a failure chain (an activity's arrives as the innermost cause). */
function errorStacks(err: Error): string[] {
  const out: string[] = [];
  for (let e: unknown = err; e instanceof Error; e = e.cause) out.push(e.stack ?? String(e));
  return out;
}

function mergeCounts(...all: Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const counts of all) for (const [k, n] of Object.entries(counts)) out[k] = (out[k] ?? 0) + n;
  return out;
}

const sum = (counts: Record<string, number>) => Object.values(counts).reduce((n, c) => n + c, 0);
const fmt = (counts: Record<string, number>) =>
  Object.entries(counts)
    .sort()
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
