// The work of one inventory page: classify it against the previous run's catalog for the same name
// range, back up what is new or modified (resuming from the page journal on retries), then write the
// page's catalog chunk (full state of the range) and its report of skipped and failed items.
import { Context } from '@temporalio/activity';
import { setMaxListeners } from 'node:events';
import { emptyCounts, type BackupCounts } from '../domain/backup-counts';
import { catalogPaths } from '../domain/catalog-layout';
import { compareNames, liveBytes, type CatalogRecord } from '../domain/catalog-record';
import { classifyPage, type Classified } from '../domain/classify';
import { mapWithConcurrency } from '../lib/async-pool';
import type { ConnectionRegistry } from '../storage/connections';
import { readNdjson, writeNdjson } from '../storage/ndjson-blob';
import { backupItem, type InventoryItem, type ItemContext } from './backup-item';
import { CatalogStore, rangeMetadata, type NameRange } from './catalog-store';
import { keepAlive } from './keep-alive';
import type { LeaseTiming } from './lease';
import { resolveConnection, unlessNotFound } from './failures';
import { PageJournal, type ItemResult } from './page-journal';
import type { VerifyMode } from './verify';

export interface BackupPageInput {
  source: string;
  container: string;
  backup: string;
  backupContainer: string;
  scope: string;
  runKey: string;
  runStartedAt: string;
  pageIndex: number;
  range: NameRange;
  previousRunKey?: string;
  mode: 'incremental' | 'full';
  snapshot: boolean;
  leaseMode: boolean;
  verify: VerifyMode;
  concurrency: number;
  maxRequestsPerSecond?: number;
  largeBlobThresholdBytes: number;
  /** Block size of the ranged copy path (tuning; tests use small blocks). */
  blockBytes?: number;
  /** Reconcile: redo unchanged blobs whose copy is unverified or lacks a snapshot. */
  redoUnverified?: boolean;
  /** Reconcile: check that the copy of every unchanged blob still exists with the right size. */
  checkCopies?: boolean;
}

/** Worker-side tuning of the page work (never workflow input). */
export interface BackupPageOptions {
  /** Lease mode's lease duration and renewal period. */
  lease?: LeaseTiming;
}

export function createBackupPageActivities(connections: ConnectionRegistry, options: BackupPageOptions = {}) {
  return {
    backupPage(input: BackupPageInput): Promise<BackupCounts> {
      return keepAlive(async () => {
        const cap = { maxRequestsPerSecond: input.maxRequestsPerSecond };
        const source = resolveConnection(() => connections.blob(input.source, cap), 'source');
        const backup = resolveConnection(() => connections.blob(input.backup, cap), 'backup');
        const signal = Context.current().cancellationSignal;
        const info = Context.current().info;
        setMaxListeners(input.concurrency * 4 + 20, signal);
        const backupContainer = backup.service.getContainerClient(input.backupContainer);
        const store = new CatalogStore(backupContainer, input.scope);

        const listed: InventoryItem[] = [];
        const previous: CatalogRecord[] = [];
        const inventory = backupContainer.getBlobClient(
          catalogPaths.inventory(input.scope, input.runKey, input.pageIndex),
        );
        // Both reads at once: on a no-change pass they are most of the page's time.
        await Promise.all([
          (async () => {
            for await (const item of readNdjson<InventoryItem>(inventory, signal)) listed.push(item);
          })(),
          (async () => {
            if (!input.previousRunKey) return;
            for await (const r of store.records(input.previousRunKey, input.range, signal)) previous.push(r);
          })(),
        ]);
        const page = classifyPage(listed, previous, {
          full: input.mode === 'full',
          redoUnverified: input.redoUnverified,
          requireSnapshot: input.snapshot,
          requireVerified: input.verify !== 'none',
        });
        if (input.checkCopies) await recheckCopies(page.items, backupContainer, input.concurrency, signal);

        const journal = new PageJournal(
          backupContainer.getAppendBlobClient(
            `${catalogPaths.runPrefix(input.scope, input.runKey)}progress/${input.pageIndex}.ndjson`,
          ),
        );
        const changed = page.items.filter((c) => c.kind !== 'unchanged');
        // A page with nothing to copy needs no journal (two requests saved per page on a no-change pass).
        const done = changed.length ? await journal.load(signal) : new Map<string, ItemResult>();
        const todo = changed.filter((c) => !done.has(c.blob.name));
        const byName = new Map(listed.map((b) => [b.name, b]));
        const ctx: ItemContext = {
          source,
          sourceContainer: source.service.getContainerClient(input.container),
          backupContainer,
          container: input.container,
          snapshot: input.snapshot,
          leaseMode: input.leaseMode,
          lease: options.lease,
          verify: input.verify,
          copy: {
            overwrite: input.mode === 'full',
            largeBlobThresholdBytes: input.largeBlobThresholdBytes,
            blockBytes: input.blockBytes,
          },
          runStartedAt: input.runStartedAt,
          reuseSnapshotsSince: info.attempt > 1 ? new Date(info.scheduledTimestampMs) : undefined,
          abortSignal: signal,
        };
        let finished = done.size;
        try {
          await mapWithConcurrency(todo, input.concurrency, async (c) => {
            const result = await backupItem(ctx, byName.get(c.blob.name)!);
            done.set(result.name, result);
            journal.record(result);
            Context.current().heartbeat({ finished: ++finished });
          });
        } finally {
          if (changed.length) await journal.flush();
        }

        const records = pageRecords(page, done, input.runStartedAt);
        const results = [...done.values()];
        await writeNdjson(
          backupContainer.getBlockBlobClient(catalogPaths.page(input.scope, input.runKey, input.pageIndex)),
          records,
          {
            metadata: rangeMetadata(input.range, records.length),
            abortSignal: signal,
          },
        );
        const problems = results
          .filter((r) => r.outcome !== 'copied' && r.reason)
          .map(({ name, outcome, reason }) => ({ name, outcome, reason }));
        if (problems.length) {
          await writeNdjson(
            backupContainer.getBlockBlobClient(catalogPaths.pageReport(input.scope, input.runKey, input.pageIndex)),
            problems,
            {
              abortSignal: signal,
            },
          );
        }
        const counts = countPage(page, results, listed.length);
        counts.bytesHeld = liveBytes(records);
        if (input.verify !== 'none') counts.unverified = records.filter((r) => 'verified' in r && !r.verified).length;
        return counts;
      });
    },
  };
}

/** The range's state after this run, in name order: kept, newly backed up, and tombstones. */
function pageRecords(
  page: ReturnType<typeof classifyPage>,
  done: Map<string, ItemResult>,
  runStartedAt: string,
): CatalogRecord[] {
  const records: CatalogRecord[] = [];
  for (const c of page.items) {
    if (c.kind === 'unchanged') records.push(c.previous);
    else {
      const entry = done.get(c.blob.name)?.entry;
      // A failed or skipped modification keeps the last good version; the next run tries again.
      if (entry) records.push(entry);
      else if (c.kind === 'modified') records.push(c.previous);
    }
  }
  for (const last of page.deleted) records.push({ name: last.name, deleted: true, deletedAt: runStartedAt, last });
  records.push(...page.carriedTombstones);
  return records.sort((a, b) => compareNames(a.name, b.name));
}

function countPage(page: ReturnType<typeof classifyPage>, results: ItemResult[], listed: number): BackupCounts {
  const counts = emptyCounts();
  counts.listed = listed;
  for (const c of page.items) counts[c.kind]++;
  counts.deleted = page.deleted.length;
  for (const r of results) {
    if (r.snapshotted) counts.snapshotted++;
    counts[r.outcome]++;
    counts.bytesCopied += r.bytes;
  }
  return counts;
}

/** Reconcile: an unchanged blob whose copy is gone (or the wrong size) is backed up again. */
async function recheckCopies(
  items: Classified[],
  container: ItemContext['backupContainer'],
  concurrency: number,
  abortSignal: AbortSignal,
) {
  await mapWithConcurrency(items, concurrency, async (c, i) => {
    if (c.kind !== 'unchanged') return;
    const props = await unlessNotFound(container.getBlobClient(c.previous.copy).getProperties({ abortSignal }));
    if (!props || props.contentLength !== c.previous.size)
      items[i] = { kind: 'modified', blob: c.blob, previous: c.previous };
  });
}
