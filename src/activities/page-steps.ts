// The steps every backup page shares, whoever moves its bytes (the worker's copy engine, or Data Factory):
// read and classify the page, build the per-item context, declare copies, work through a journal, and
// write the page's catalog chunk, report and counts.
import type { ContainerClient } from '@azure/storage-blob';
import type { ItemContext } from '../blob/backup-item';
import type { LeaseTiming } from '../blob/lease';
import type { InventoryItem } from '../blob/listing';
import { CopyIntents } from '../catalog/copy-intents';
import { readNdjson, writeNdjson } from '../catalog/ndjson-blob';
import { PageJournal, type ItemResult } from '../catalog/page-journal';
import { CatalogStore, rangeMetadata } from '../catalog/store';
import { emptyCounts, VERIFICATION_FAILED, type BackupCounts } from '../domain/backup-counts';
import { catalogPaths } from '../domain/catalog-layout';
import { compareNames, liveBytes, type CatalogRecord } from '../domain/catalog-record';
import type { BackupMode, VerifyMode } from '../domain/choices';
import { classifyPage, type Classified } from '../domain/classify';
import type { NameRange } from '../domain/name-range';
import { mapWithConcurrency } from '../lib/async-pool';
import { unlessNotFound } from '../storage/errors';
import type { ActivityTools } from './toolkit';

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
  mode: BackupMode;
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
  /** The `adf` connection (a factory) that moves this page's bytes when they are many (see adfThresholdBytes). */
  adf?: string;
  /** With `adf`: a page whose changed bytes reach this goes to Data Factory (0: every page). */
  adfThresholdBytes?: number;
  /** With `adf`: how often the run is polled (tuning; default 15 s). */
  adfPollEveryMs?: number;
}

/** Worker-side tuning of the page work (never workflow input). */
export interface BackupPageOptions {
  /** Lease mode's lease duration and renewal period. */
  lease?: LeaseTiming;
}

export type ClassifiedPage = ReturnType<typeof classifyPage>;

export interface LoadedPage {
  backupContainer: ContainerClient;
  listed: InventoryItem[];
  byName: Map<string, InventoryItem>;
  page: ClassifiedPage;
  /** New or modified: what this run backs up. */
  changed: Classified[];
}

/** Reads the staged listing page and the previous run's records of its range, and classifies them. */
export async function loadPage(input: BackupPageInput, tools: ActivityTools): Promise<LoadedPage> {
  const { signal } = tools;
  const backupContainer = tools
    .blob(input.backup, 'backup', { maxRequestsPerSecond: input.maxRequestsPerSecond })
    .service.getContainerClient(input.backupContainer);
  const { listed, previous } = await readPage(backupContainer, input, signal);
  const page = classifyPage(listed, previous, {
    full: input.mode === 'full',
    redoUnverified: input.redoUnverified,
    requireSnapshot: input.snapshot,
    requireVerified: input.verify !== 'none',
  });
  if (input.checkCopies) await recheckCopies(page.items, backupContainer, input.concurrency, signal);
  return {
    backupContainer,
    listed,
    byName: new Map(listed.map((b) => [b.name, b])),
    page,
    changed: page.items.filter((c) => c.kind !== 'unchanged'),
  };
}

export function intentsOf(input: BackupPageInput, backupContainer: ContainerClient): CopyIntents {
  return new CopyIntents(
    backupContainer.getAppendBlobClient(catalogPaths.intents(input.scope, input.runKey, input.pageIndex)),
  );
}

/** The page's journal; a page with nothing to copy needs none (two requests saved per page on a no-change pass). */
export function journalOf(
  input: BackupPageInput,
  backupContainer: ContainerClient,
  changed: number,
): PageJournal<ItemResult> | undefined {
  if (!changed) return undefined;
  return new PageJournal<ItemResult>(
    backupContainer.getAppendBlobClient(catalogPaths.journal(input.scope, input.runKey, input.pageIndex)),
  );
}

/** What backing up one item needs; `reuseSnapshotsSince` set on retries and after a Data Factory move. */
export function itemContext(
  input: BackupPageInput,
  tools: ActivityTools,
  backupContainer: ContainerClient,
  intents: CopyIntents,
  options: BackupPageOptions & { reuseSnapshotsSince?: Date },
): ItemContext {
  const source = tools.blob(input.source, 'source', { maxRequestsPerSecond: input.maxRequestsPerSecond });
  return {
    source,
    sourceContainer: source.service.getContainerClient(input.container),
    backupContainer,
    container: input.container,
    snapshot: input.snapshot,
    leaseMode: input.leaseMode,
    lease: options.lease,
    verify: input.verify,
    full: input.mode === 'full',
    runKey: input.runKey,
    copy: {
      largeBlobThresholdBytes: input.largeBlobThresholdBytes,
      blockBytes: input.blockBytes,
      onProgress: () => tools.heartbeat(),
    },
    runStartedAt: input.runStartedAt,
    reuseSnapshotsSince: options.reuseSnapshotsSince,
    declareCopies: (names) => intents.declare(names, tools.signal),
    abortSignal: tools.signal,
  };
}

/** Writes the page's catalog chunk (the range's full state) and its report; returns its counts. */
export async function commitPage(
  input: BackupPageInput,
  loaded: LoadedPage,
  done: Map<string, ItemResult>,
  signal: AbortSignal,
): Promise<BackupCounts> {
  const { backupContainer, page, listed } = loaded;
  const records = pageRecords(page, done, input.runStartedAt);
  const results = [...done.values()];
  await writeNdjson(
    backupContainer.getBlockBlobClient(catalogPaths.page(input.scope, input.runKey, input.pageIndex)),
    records,
    { metadata: rangeMetadata(input.range, records.length), abortSignal: signal },
  );
  const problems = results
    .filter((r) => r.reason) // skips, failures, and copies with a note (a recopy)
    .map(({ name, outcome, reason }) => ({ name, outcome, reason }));
  if (problems.length) {
    await writeNdjson(
      backupContainer.getBlockBlobClient(catalogPaths.pageReport(input.scope, input.runKey, input.pageIndex)),
      problems,
      { abortSignal: signal },
    );
  }
  const counts = countPage(page, results, listed.length);
  counts.bytesHeld = liveBytes(records);
  if (input.verify !== 'none') counts.unverified = records.filter((r) => 'verified' in r && !r.verified).length;
  return counts;
}

/** The staged listing page, and the previous run's records of the same range; both at once, since on a
 * no-change pass they are most of the page's time. */
async function readPage(container: ContainerClient, input: BackupPageInput, signal: AbortSignal) {
  const listed: InventoryItem[] = [];
  const previous: CatalogRecord[] = [];
  const inventory = container.getBlobClient(catalogPaths.inventory(input.scope, input.runKey, input.pageIndex));
  const store = new CatalogStore(container, input.scope);
  await Promise.all([
    (async () => {
      for await (const item of readNdjson<InventoryItem>(inventory, signal)) listed.push(item);
    })(),
    (async () => {
      if (!input.previousRunKey) return;
      for await (const r of store.records(input.previousRunKey, input.range, signal)) previous.push(r);
    })(),
  ]);
  return { listed, previous };
}

/** The range's state after this run, in name order: kept, newly backed up, and tombstones. */
function pageRecords(page: ClassifiedPage, done: Map<string, ItemResult>, runStartedAt: string): CatalogRecord[] {
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

function countPage(page: ClassifiedPage, results: ItemResult[], listed: number): BackupCounts {
  const counts = emptyCounts();
  counts.listed = listed;
  for (const c of page.items) counts[c.kind]++;
  counts.deleted = page.deleted.length;
  const sizes = new Map(page.items.map((c) => [c.blob.name, c.blob.size]));
  for (const r of results) {
    if (r.snapshotted) counts.snapshotted++;
    counts[r.outcome]++;
    counts.bytesCopied += r.bytes;
    if (r.outcome === 'skipped') counts.bytesSkipped += sizes.get(r.name) ?? 0;
    if (r.outcome === 'failed') {
      counts.bytesFailed += sizes.get(r.name) ?? 0;
      if (r.reason?.startsWith(VERIFICATION_FAILED)) counts.verifyFailed++;
    }
  }
  return counts;
}

/** Reconcile: an unchanged blob whose copy is gone (or the wrong size) is backed up again. */
async function recheckCopies(
  items: Classified[],
  container: ContainerClient,
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
