// Restore activities: plan (resolve the run, check the target, pick the catalog pages to read), restore
// one catalog page (resuming from its journal), and finish (one report, staging removed).
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { setMaxListeners } from 'node:events';
import { versionToRestore } from '../domain/as-of';
import { DEFAULT_BACKUP_CONTAINER } from '../domain/backup-naming';
import { catalogPaths, catalogScope } from '../domain/catalog-layout';
import { isTombstone, type CatalogRecord } from '../domain/catalog-record';
import { summarizeRun, type RunSummary } from '../domain/run-manifest';
import { mapWithConcurrency } from '../lib/async-pool';
import type { ConnectionRegistry } from '../storage/connections';
import { readNdjson, writeJson, writeNdjson } from '../storage/ndjson-blob';
import { openCatalog, selectRun, type BackedUpSource } from './catalog-queries';
import { rangeFromMetadata, type NameRange } from './catalog-store';
import { FailureType, resolveConnection } from './failures';
import { keepAlive } from './keep-alive';
import { PageJournal } from './page-journal';
import { restoreItem, type OverwritePolicy, type RestoreItemResult } from './restore-item';
import { deleteBlobs, listStaging, mergeNdjsonBlobs } from './staging';

export interface RestoreFilter {
  prefix?: string;
  blobs?: string[];
  includeDeleted: boolean;
}

export interface PlanRestoreInput {
  backup: string;
  backupContainer?: string;
  source: BackedUpSource;
  asOf?: string;
  run?: string;
  filter: RestoreFilter;
  target: { connection: string; container: string };
  dryRun: boolean;
}

export interface RestorePlan {
  run: RunSummary;
  /** Inclusive ranges of catalog page indices that can hold matching names. */
  pageRanges: [number, number][];
  pages: number;
  /**
   * The oldest committed run's start: retention collects the last copy of a blob deleted before it
   * (no kept run holds it live), so such a copy may be gone by design.
   */
  deletionsExpireBefore?: string;
}

export interface RestorePageInput {
  backup: string;
  backupContainer: string;
  source: BackedUpSource;
  runKey: string;
  pageIndex: number;
  restoreKey: string;
  deletionsExpireBefore?: string;
  filter: RestoreFilter;
  target: { connection: string; container: string };
  overwrite: OverwritePolicy;
  verify: 'md5' | 'deep';
  dryRun: boolean;
  concurrency: number;
  maxRequestsPerSecond?: number;
  largeBlobThresholdBytes: number;
}

export interface RestoreCounts {
  matched: number;
  restored: number;
  skipped: number;
  failed: number;
  bytesRestored: number;
}

export function emptyRestoreCounts(): RestoreCounts {
  return { matched: 0, restored: 0, skipped: 0, failed: 0, bytesRestored: 0 };
}

export function createRestoreActivities(connections: ConnectionRegistry) {
  return {
    planRestore(input: PlanRestoreInput): Promise<RestorePlan> {
      return keepAlive(async () => {
        const signal = Context.current().cancellationSignal;
        const backupContainer = input.backupContainer ?? DEFAULT_BACKUP_CONTAINER;
        const backup = resolveConnection(() => connections.blob(input.backup), 'backup');
        const target = resolveConnection(() => connections.blob(input.target.connection), 'target.connection');
        if (target.service.url === backup.service.url && input.target.container === backupContainer) {
          throw ApplicationFailure.nonRetryable(
            `target.container: ${target.accountName}/${input.target.container} is the backup container itself; ` +
              'restore into the source container or another one',
            FailureType.InvalidInput,
          );
        }
        const store = openCatalog(connections, { ...input, backupContainer });
        const runs = (await store.manifests(signal)).map(summarizeRun);
        const run = await selectRun(store, input, signal, runs);
        const pageRanges: [number, number][] = [];
        const prefix = catalogPaths.pagesPrefix(store.scope, run.runKey);
        for await (const b of store.container.listBlobsFlat({ prefix, includeMetadata: true, abortSignal: signal })) {
          const index = Number(b.name.slice(prefix.length).split('.')[0]);
          if (!matchesRange(rangeFromMetadata(b.metadata), input.filter)) continue;
          const last = pageRanges.at(-1);
          if (last && last[1] === index - 1) last[1] = index;
          else pageRanges.push([index, index]);
        }
        // The only write of the plan, after every check has passed.
        if (!input.dryRun) await target.service.getContainerClient(input.target.container).createIfNotExists();
        return {
          run,
          pageRanges,
          pages: pageRanges.reduce((n, [a, b]) => n + b - a + 1, 0),
          deletionsExpireBefore: runs.map((r) => r.startedAt).sort()[0],
        };
      });
    },

    restorePage(input: RestorePageInput): Promise<RestoreCounts> {
      return keepAlive(async () => {
        const signal = Context.current().cancellationSignal;
        setMaxListeners(input.concurrency * 4 + 20, signal);
        const cap = { maxRequestsPerSecond: input.maxRequestsPerSecond };
        const backup = resolveConnection(() => connections.blob(input.backup, cap), 'backup');
        const target = resolveConnection(() => connections.blob(input.target.connection, cap), 'target.connection');
        const container = backup.service.getContainerClient(input.backupContainer);
        const scope = catalogScope(input.source.account, input.source.container, input.source.prefix);
        const staging = catalogPaths.restorePrefix(scope, input.restoreKey);
        const chunk = container.getBlobClient(catalogPaths.page(scope, input.runKey, input.pageIndex));
        const wanted = input.filter.blobs ? new Set(input.filter.blobs) : undefined;
        const entries = [];
        const expired = new Map<string, string>(); // name -> deletedAt, for deletions retention may have collected
        for await (const record of readNdjson<CatalogRecord>(chunk, signal)) {
          if (input.filter.prefix && !record.name.startsWith(input.filter.prefix)) continue;
          if (wanted && !wanted.has(record.name)) continue;
          const entry = versionToRestore(record, input.filter.includeDeleted);
          if (!entry) continue;
          entries.push(entry);
          if (isTombstone(record) && input.deletionsExpireBefore && record.deletedAt < input.deletionsExpireBefore)
            expired.set(record.name, record.deletedAt);
        }
        const journal = new PageJournal<RestoreItemResult>(
          container.getAppendBlobClient(`${staging}progress/${input.pageIndex}.ndjson`),
        );
        const done = input.dryRun ? new Map<string, RestoreItemResult>() : await journal.load(signal);
        const ctx = {
          backup,
          backupContainer: container,
          target: target.service.getContainerClient(input.target.container),
          overwrite: input.overwrite,
          verify: input.verify,
          dryRun: input.dryRun,
          largeBlobThresholdBytes: input.largeBlobThresholdBytes,
          abortSignal: signal,
        };
        let finished = done.size;
        try {
          await mapWithConcurrency(
            entries.filter((e) => !done.has(e.name)),
            input.concurrency,
            async (entry) => {
              const result = await restoreItem(ctx, entry, expired.get(entry.name));
              done.set(result.name, result);
              if (!input.dryRun) journal.record(result);
              Context.current().heartbeat({ finished: ++finished });
            },
          );
        } finally {
          if (!input.dryRun) await journal.flush();
        }
        const results = [...done.values()];
        // A dry run reports every item it would touch; a real one what it skipped or failed.
        const reported = results.filter((r) => input.dryRun || r.outcome !== 'restored');
        if (reported.length) {
          await writeNdjson(
            container.getBlockBlobClient(`${staging}reports/${pad(input.pageIndex)}.ndjson.gz`),
            reported,
            {
              abortSignal: signal,
            },
          );
        }
        const counts = emptyRestoreCounts();
        counts.matched = entries.length;
        for (const r of results) {
          counts[r.outcome]++;
          counts.bytesRestored += r.bytes;
        }
        return counts;
      });
    },

    finishRestore(input: {
      backup: string;
      backupContainer: string;
      source: BackedUpSource;
      restoreKey: string;
      summary: Record<string, unknown>;
    }): Promise<{ report: string; summary: string }> {
      return keepAlive(async () => {
        const signal = Context.current().cancellationSignal;
        const backup = resolveConnection(() => connections.blob(input.backup), 'backup');
        const container = backup.service.getContainerClient(input.backupContainer);
        const scope = catalogScope(input.source.account, input.source.container, input.source.prefix);
        const staging = catalogPaths.restorePrefix(scope, input.restoreKey);
        const report = `${staging}report.ndjson.gz`;
        const summary = `${staging}summary.json`;
        const staged = await listStaging(container, staging, ['progress/', 'reports/'], signal);
        await mergeNdjsonBlobs(container, staged['reports/'], report, signal);
        await writeJson(container.getBlockBlobClient(summary), { ...input.summary, report }, { abortSignal: signal });
        await deleteBlobs(container, [...staged['progress/'], ...staged['reports/']], signal);
        return { report, summary };
      });
    },
  };
}

/** Can a catalog page with names in `range` hold a name the filter wants? */
function matchesRange(range: NameRange, filter: RestoreFilter): boolean {
  const { lo, hi } = range;
  if (filter.blobs) return filter.blobs.some((n) => (lo === undefined || n > lo) && (hi === undefined || n <= hi));
  const p = filter.prefix;
  if (!p) return true;
  return (hi === undefined || hi >= p) && (lo === undefined || lo < p || lo.startsWith(p));
}

function pad(index: number): string {
  return String(index).padStart(7, '0');
}
