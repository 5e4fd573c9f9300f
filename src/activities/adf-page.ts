// A backup page whose bytes Data Factory moves: planAdfPage classifies it like any page and, when its changed
// bytes reach the threshold, snapshots each changed blob, declares the copies and writes the file list the
// azbackup-copy-blobs pipeline reads (only names no copy exists under yet: ADF overwrites, and a copy a
// committed run references is never rewritten). The workflow then runs the pipeline; finishAdfPage
// verifies each copy against the listed version and catalogs the page exactly like the worker's own
// copies. What ADF did not copy, or copied wrong, the worker backs up itself.
import { backupItem, copyNamesOf, earlierSnapshot } from '../blob/backup-item';
import { verifyAdfCopy, type PlannedAdfCopy } from '../blob/adf-item';
import { readJson, writeJson } from '../catalog/ndjson-blob';
import { workThroughJournaled } from '../catalog/page-journal';
import type { CopyListEntry } from '../adf/pipelines';
import type { BackupCounts } from '../domain/backup-counts';
import { normalizeVersion } from '../domain/backup-naming';
import { catalogPaths } from '../domain/catalog-layout';
import { DEFAULT_ADF_THRESHOLD_BYTES } from '../domain/defaults';
import { InvalidInputError } from '../domain/failures';
import { mapWithConcurrency } from '../lib/async-pool';
import type { ConnectionRegistry } from '../storage/connections';
import { unlessNotFound } from '../storage/errors';
import {
  commitPage,
  intentsOf,
  itemContext,
  journalOf,
  loadPage,
  type BackupPageInput,
  type BackupPageOptions,
} from './page-steps';
import { defineActivity } from './toolkit';

/** What the workflow needs to run the pipeline, or `move: false` when the worker copies the page itself. */
export interface AdfPagePlan {
  move: boolean;
  /** Blobs in the list (0: nothing for ADF to copy; the page is finished without a run). */
  entries: number;
  bytes: number;
  /** `<container>/<blob>` of the list and `<container>/<folder>` of ADF's copy log, in the backup account. */
  listPath?: string;
  logPath?: string;
}

interface StoredPlan {
  plannedAt: string;
  entries: PlannedAdfCopy[];
}

export function createAdfPageActivities(connections: ConnectionRegistry, options: BackupPageOptions = {}) {
  return {
    planAdfPage: defineActivity(connections, async (input: BackupPageInput, tools): Promise<AdfPagePlan> => {
      const { signal, info } = tools;
      if (!input.adf) throw new InvalidInputError('adf', 'adf: planAdfPage needs the adf connection of the factory');
      tools.expectListeners(input.concurrency * 4 + 10);
      const plannedAt = new Date().toISOString();
      const loaded = await loadPage(input, tools);
      const { backupContainer, changed, byName } = loaded;
      const planBlob = backupContainer.getBlockBlobClient(
        catalogPaths.adfPlan(input.scope, input.runKey, input.pageIndex),
      );
      const paths = {
        listPath: `${input.backupContainer}/${catalogPaths.adfList(input.scope, input.runKey, input.pageIndex)}`,
        logPath: `${input.backupContainer}/${catalogPaths.adfLog(input.scope, input.runKey, input.pageIndex)}`,
      };
      const written = await unlessNotFound(readJson<StoredPlan>(planBlob, signal));
      if (written)
        return { move: true, entries: written.entries.length, bytes: sizeOf(written.entries, byName), ...paths };

      const bytes = changed.reduce((sum, c) => sum + c.blob.size, 0);
      if (!changed.length || bytes < (input.adfThresholdBytes ?? DEFAULT_ADF_THRESHOLD_BYTES))
        return { move: false, entries: 0, bytes };
      const intents = intentsOf(input, backupContainer);
      const ctx = itemContext(input, tools, backupContainer, intents, {
        ...options,
        reuseSnapshotsSince: info.attempt > 1 ? new Date(info.scheduledTimestampMs) : undefined,
      });
      await intents.declare(
        changed.flatMap((c) => copyNamesOf(ctx, c.blob)),
        signal,
      );
      const entries: PlannedAdfCopy[] = [];
      await mapWithConcurrency(changed, input.concurrency, async (c) => {
        const item = byName.get(c.blob.name)!;
        if (item.accessTier === 'Archive') return; // the worker reports it
        const copy = copyNamesOf(ctx, item)[0]!;
        // An existing copy is touched and verified by the worker, never rewritten by ADF.
        if (await unlessNotFound(backupContainer.getBlobClient(copy).getProperties({ abortSignal: signal }))) return;
        let snapshot: string | undefined;
        if (input.snapshot) {
          const base = ctx.sourceContainer.getBlobClient(item.name);
          const snap =
            (ctx.reuseSnapshotsSince && (await earlierSnapshot(ctx, item, ctx.reuseSnapshotsSince))) ??
            (await unlessNotFound(base.createSnapshot({ abortSignal: signal })));
          // Gone, or changed since it was listed: the worker backs it up (or reports it) itself.
          if (!snap?.snapshot || normalizeVersion(snap.etag ?? '') !== item.etag) return;
          snapshot = snap.snapshot;
        }
        entries.push({ name: item.name, copy, snapshot });
        tools.heartbeat();
      });
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const list: CopyListEntry[] = entries.map((e) => ({
        source: `${input.container}/${e.name}`,
        target: `${input.backupContainer}/${e.copy}`,
      }));
      await writeJson(
        backupContainer.getBlockBlobClient(catalogPaths.adfList(input.scope, input.runKey, input.pageIndex)),
        list,
        { abortSignal: signal },
      );
      // Written last: a plan that exists is complete, and a retried plan returns it as it is.
      await writeJson(planBlob, { plannedAt, entries } satisfies StoredPlan, { abortSignal: signal });
      return { move: true, entries: entries.length, bytes: sizeOf(entries, byName), ...paths };
    }),

    finishAdfPage: defineActivity(connections, async (input: BackupPageInput, tools): Promise<BackupCounts> => {
      const { signal } = tools;
      tools.expectListeners(input.concurrency * 4 + 10);
      const loaded = await loadPage(input, tools);
      const { backupContainer, changed, byName } = loaded;
      const plan = await readJson<StoredPlan>(
        backupContainer.getBlobClient(catalogPaths.adfPlan(input.scope, input.runKey, input.pageIndex)),
        signal,
      );
      const planned = new Map(plan.entries.map((e) => [e.name, e]));
      const intents = intentsOf(input, backupContainer);
      // A blob the worker backs up after all reuses the snapshot the plan took of its listed version.
      const ctx = itemContext(input, tools, backupContainer, intents, {
        ...options,
        reuseSnapshotsSince: new Date(plan.plannedAt),
      });
      let bytesCopied = 0;
      const done = await workThroughJournaled({
        journal: journalOf(input, backupContainer, changed.length),
        items: changed,
        nameOf: (c) => c.blob.name,
        concurrency: input.concurrency,
        work: async (c) => {
          const item = byName.get(c.blob.name)!;
          const mine = planned.get(item.name);
          const result = (mine && (await verifyAdfCopy(ctx, item, mine))) ?? (await backupItem(ctx, item));
          bytesCopied += result.bytes;
          return result;
        },
        // Read by `azbackup progress`/`status`, as for the worker's own pages.
        onFinished: (finished) => tools.heartbeat({ finished, total: changed.length, bytesCopied }),
        abortSignal: signal,
      });
      return commitPage(input, loaded, done, signal);
    }),
  };
}

function sizeOf(entries: PlannedAdfCopy[], byName: Map<string, { size: number }>): number {
  return entries.reduce((sum, e) => sum + (byName.get(e.name)?.size ?? 0), 0);
}
