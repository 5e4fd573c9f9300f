// Restore activities: plan (resolve the run, check the target, pick the catalog pages to read), restore
// one catalog page (resuming from its journal), and finish (one report, staging removed).
import { restoreItem, type RestoreContext, type RestoreItemResult } from '../blob/restore-item';
import { readNdjson, writeJson, writeNdjson } from '../catalog/ndjson-blob';
import { PageJournal, workThroughJournaled } from '../catalog/page-journal';
import { openCatalog, selectRun, type BackedUpSource } from '../catalog/queries';
import { deleteBlobs, listStaging, mergeNdjsonBlobs } from '../catalog/staging';
import { rangeFromMetadata } from '../catalog/store';
import { sameAccount } from '../domain/account-url';
import { versionToRestore } from '../domain/as-of';
import { catalogPaths, catalogScope, restoreStaging } from '../domain/catalog-layout';
import { isTombstone, type CatalogEntry, type CatalogRecord } from '../domain/catalog-record';
import type { OverwritePolicy, RestoreVerifyMode } from '../domain/choices';
import { DEFAULT_BACKUP_CONTAINER } from '../domain/defaults';
import { InvalidInputError } from '../domain/failures';
import { rangeMayHold } from '../domain/name-range';
import { emptyRestoreCounts, type RestoreCounts } from '../domain/restore-counts';
import { summarizeRun, type RunSummary } from '../domain/run-manifest';
import type { ConnectionRegistry } from '../storage/connections';
import { defineActivity } from './toolkit';

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
  verify: RestoreVerifyMode;
  dryRun: boolean;
  concurrency: number;
  maxRequestsPerSecond?: number;
  largeBlobThresholdBytes: number;
}

export interface FinishRestoreInput {
  backup: string;
  backupContainer: string;
  source: BackedUpSource;
  restoreKey: string;
  summary: Record<string, unknown>;
}

export function createRestoreActivities(connections: ConnectionRegistry) {
  return {
    planRestore: defineActivity(connections, async (input: PlanRestoreInput, tools): Promise<RestorePlan> => {
      const { signal } = tools;
      const backupContainer = input.backupContainer ?? DEFAULT_BACKUP_CONTAINER;
      const backup = tools.blob(input.backup, 'backup');
      const target = tools.blob(input.target.connection, 'target.connection');
      // By account endpoint: another connection name or a SAS for the backup account is still the backup account.
      if (sameAccount(target.service.url, backup.service.url) && input.target.container === backupContainer) {
        throw new InvalidInputError(
          'target.container',
          `target.container: ${target.accountName}/${input.target.container} is the backup container itself; ` +
            'restore into the source container or another one',
        );
      }
      const store = openCatalog(backup, { ...input, backupContainer });
      const runs = (await store.manifests(signal)).map(summarizeRun);
      const run = await selectRun(store, input, { abortSignal: signal, runs });
      const wanted = { names: input.filter.blobs, prefix: input.filter.prefix };
      const pageRanges: [number, number][] = [];
      const prefix = catalogPaths.pagesPrefix(store.scope, run.runKey);
      for await (const b of store.container.listBlobsFlat({ prefix, includeMetadata: true, abortSignal: signal })) {
        const index = Number(b.name.slice(prefix.length).split('.')[0]);
        if (!rangeMayHold(rangeFromMetadata(b.metadata), wanted)) continue;
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
    }),

    restorePage: defineActivity(connections, async (input: RestorePageInput, tools): Promise<RestoreCounts> => {
      const { signal } = tools;
      tools.expectListeners(input.concurrency * 4 + 10);
      const cap = { maxRequestsPerSecond: input.maxRequestsPerSecond };
      const backup = tools.blob(input.backup, 'backup', cap);
      const target = tools.blob(input.target.connection, 'target.connection', cap);
      const container = backup.service.getContainerClient(input.backupContainer);
      const scope = catalogScope(input.source.account, input.source.container, input.source.prefix);
      const chunk = container.getBlobClient(catalogPaths.page(scope, input.runKey, input.pageIndex));
      const { entries, expired } = await selectEntries(readNdjson<CatalogRecord>(chunk, signal), input);
      const ctx: RestoreContext = {
        backup,
        backupContainer: container,
        target: target.service.getContainerClient(input.target.container),
        overwrite: input.overwrite,
        verify: input.verify,
        dryRun: input.dryRun,
        largeBlobThresholdBytes: input.largeBlobThresholdBytes,
        abortSignal: signal,
        onProgress: () => tools.heartbeat(),
      };
      const done = await workThroughJournaled({
        // A dry run writes nothing, its journal included.
        journal: input.dryRun
          ? undefined
          : new PageJournal<RestoreItemResult>(
              container.getAppendBlobClient(catalogPaths.restoreJournal(scope, input.restoreKey, input.pageIndex)),
            ),
        items: entries,
        nameOf: (entry) => entry.name,
        concurrency: input.concurrency,
        work: (entry) => restoreItem(ctx, entry, expired.get(entry.name)),
        onFinished: (finished) => tools.heartbeat({ finished, total: entries.length }),
        abortSignal: signal,
      });
      const results = [...done.values()];
      // A dry run reports every item it would touch; a real one what it skipped or failed.
      const reported = results.filter((r) => input.dryRun || r.outcome !== 'restored');
      if (reported.length) {
        await writeNdjson(
          container.getBlockBlobClient(catalogPaths.restorePageReport(scope, input.restoreKey, input.pageIndex)),
          reported,
          { abortSignal: signal },
        );
      }
      const counts = emptyRestoreCounts();
      counts.matched = entries.length;
      for (const r of results) {
        counts[r.outcome]++;
        counts.bytesRestored += r.bytes;
      }
      return counts;
    }),

    finishRestore: defineActivity(
      connections,
      async (input: FinishRestoreInput, tools): Promise<{ report: string; summary: string }> => {
        const options = { abortSignal: tools.signal, onProgress: () => tools.heartbeat() };
        const container = tools.blob(input.backup, 'backup').service.getContainerClient(input.backupContainer);
        const scope = catalogScope(input.source.account, input.source.container, input.source.prefix);
        const report = catalogPaths.restoreReport(scope, input.restoreKey);
        const summary = catalogPaths.restoreSummary(scope, input.restoreKey);
        const staged = await listStaging(container, restoreStaging(scope, input.restoreKey), options);
        await mergeNdjsonBlobs(container, staged.reports, report, options);
        await writeJson(container.getBlockBlobClient(summary), { ...input.summary, report }, options);
        await deleteBlobs(container, [...staged.journals, ...staged.reports], options);
        return { report, summary };
      },
    ),
  };
}

/** The page's records the filter selects, as the versions to restore; and the deletions that may have expired. */
async function selectEntries(records: AsyncIterable<CatalogRecord>, input: RestorePageInput) {
  const wanted = input.filter.blobs ? new Set(input.filter.blobs) : undefined;
  const entries: CatalogEntry[] = [];
  const expired = new Map<string, string>(); // name -> deletedAt, for deletions retention may have collected
  for await (const record of records) {
    if (input.filter.prefix && !record.name.startsWith(input.filter.prefix)) continue;
    if (wanted && !wanted.has(record.name)) continue;
    const entry = versionToRestore(record, input.filter.includeDeleted);
    if (!entry) continue;
    entries.push(entry);
    if (isTombstone(record) && input.deletionsExpireBefore && record.deletedAt < input.deletionsExpireBefore)
      expired.set(record.name, record.deletedAt);
  }
  return { entries, expired };
}
