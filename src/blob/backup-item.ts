// One blob through the backup: (lease) -> snapshot -> server-side copy under its deterministic name ->
// verify -> catalog entry. Permanent problems become a reported skip or failure; transient ones throw.
import type { BlobClient, ContainerClient } from '@azure/storage-blob';
import { backupObjectName, normalizeVersion } from '../domain/backup-naming';
import type { CatalogEntry } from '../domain/catalog-record';
import type { BlobAccount } from '../storage/blob-account';
import type { ItemResult } from '../catalog/page-journal';
import type { VerifyMode } from '../domain/choices';
import { errorCodeOf, firstLine, statusCodeOf } from '../storage/errors';
import { copyVersion, type CopyOptions, type SourceVersion } from './copy';
import type { InventoryItem } from './listing';
import { LeasedByAnotherWriter, LeaseLost, withLease, type LeaseTiming } from './lease';
import { touchCopy } from './touch-copy';
import { verifyCopy } from './verify';

export interface ItemContext {
  source: BlobAccount;
  sourceContainer: ContainerClient;
  backupContainer: ContainerClient;
  container: string;
  snapshot: boolean;
  leaseMode: boolean;
  /** Lease duration and renewal period (tests shorten them); default 60 s renewed every 20 s. */
  lease?: LeaseTiming;
  verify: VerifyMode;
  copy: Omit<CopyOptions, 'abortSignal'>;
  runStartedAt: string;
  /**
   * On a retried page: reuse a snapshot of the listed version taken since then (an earlier attempt's,
   * whose journal entry was lost), rather than leave it behind as one no catalog records.
   */
  reuseSnapshotsSince?: Date;
  abortSignal: AbortSignal;
}

export async function backupItem(ctx: ItemContext, item: InventoryItem): Promise<ItemResult> {
  const base = ctx.sourceContainer.getBlobClient(item.name);
  const skip = (reason: string, snapshotted = false): ItemResult => ({
    name: item.name,
    outcome: 'skipped',
    reason,
    snapshotted,
    bytes: 0,
  });
  if (item.accessTier === 'Archive') return skip('archived: rehydrate it to include it in backups');
  try {
    if (!ctx.leaseMode) return await copyOne(ctx, base, item);
    // Under a lease, every call uses the lease's signal: losing it aborts the copy in flight.
    return await withLease(
      base,
      (lease) => copyOne({ ...ctx, abortSignal: lease.abortSignal }, base, item, lease.id),
      ctx.abortSignal,
      ctx.lease,
    );
  } catch (err) {
    if (err instanceof LeasedByAnotherWriter) return skip(err.message);
    if (err instanceof LeaseLost)
      return { name: item.name, outcome: 'failed', reason: err.message, snapshotted: false, bytes: 0 };
    const status = statusCodeOf(err);
    const code = errorCodeOf(err);
    if (status === 404 && code === 'BlobNotFound') return skip('deleted since it was listed');
    if (
      status === 412 &&
      (code === 'ConditionNotMet' || code === 'SourceConditionNotMet' || code === 'CannotVerifyCopySource')
    ) {
      return skip('changed since it was listed; the next run copies the new version');
    }
    if (status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429) {
      return {
        name: item.name,
        outcome: 'failed',
        reason: `${status} ${code ?? ''}: ${firstLine(err)}`,
        snapshotted: false,
        bytes: 0,
      };
    }
    throw err; // transient: the page is retried, resuming from its journal
  }
}

async function copyOne(ctx: ItemContext, base: BlobClient, item: InventoryItem, leaseId?: string): Promise<ItemResult> {
  let version: SourceVersion & { etag: string; lastModified: string; snapshot?: string } = { ...item };
  let from = base;
  if (ctx.snapshot) {
    const earlier = ctx.reuseSnapshotsSince && (await earlierSnapshot(ctx, item, ctx.reuseSnapshotsSince));
    const snap =
      earlier ??
      (await base.createSnapshot({
        conditions: leaseId ? { leaseId } : undefined,
        abortSignal: ctx.abortSignal,
      }));
    from = base.withSnapshot(snap.snapshot!);
    version = {
      ...version,
      snapshot: snap.snapshot,
      etag: normalizeVersion(snap.etag!),
      lastModified: snap.lastModified!.toISOString(),
    };
    if (version.etag !== item.etag) version = { ...version, ...(await currentProperties(from, ctx.abortSignal)) };
  }
  const copyName = backupObjectName({
    account: ctx.source.accountName,
    container: ctx.container,
    blobName: item.name,
    version: version.etag,
  });
  const target = ctx.backupContainer.getBlockBlobClient(copyName);
  const url = await ctx.source.readUrl(from, { abortSignal: ctx.abortSignal });
  const copy = () =>
    copyVersion(url, version, target, {
      ...ctx.copy,
      // Without a snapshot, copy only the version that was listed.
      sourceEtag: ctx.snapshot ? undefined : `"${item.etag}"`,
      abortSignal: ctx.abortSignal,
    });
  let copied = await copy();
  // Reusing an existing copy: touch it so a garbage collection sweep racing this run keeps it; if a
  // sweep took it already, copy it again.
  if (!copied.wrote && !(await touchCopy(target, ctx.abortSignal))) copied = await copy();
  const check = await verifyCopy(
    { blob: from, size: version.size, md5: version.md5 },
    target,
    ctx.verify,
    ctx.abortSignal,
  );
  const snapshotted = version.snapshot !== undefined;
  if (!check.ok) {
    await target.deleteIfExists({ abortSignal: ctx.abortSignal }); // never leave a copy that failed verification
    return {
      name: item.name,
      outcome: 'failed',
      reason: `verification failed: ${check.reason}`,
      snapshotted,
      bytes: 0,
    };
  }
  const entry: CatalogEntry = {
    name: item.name,
    etag: version.etag,
    lastModified: version.lastModified,
    size: version.size,
    md5: check.md5,
    contentType: version.contentType,
    snapshot: version.snapshot,
    copy: copyName,
    verified: ctx.verify !== 'none',
    backedUpAt: ctx.runStartedAt,
  };
  return copied.wrote
    ? { name: item.name, outcome: 'copied', entry, snapshotted, bytes: version.size }
    : { name: item.name, outcome: 'skipped', reason: 'an identical copy already exists', entry, snapshotted, bytes: 0 };
}

/** The newest snapshot of exactly the listed version (same ETag) taken at or after `since`. */
async function earlierSnapshot(
  ctx: ItemContext,
  item: InventoryItem,
  since: Date,
): Promise<{ snapshot: string; etag: string; lastModified: Date } | undefined> {
  let found: { snapshot: string; etag: string; lastModified: Date } | undefined;
  const listing = ctx.sourceContainer
    .listBlobsFlat({ prefix: item.name, includeSnapshots: true, abortSignal: ctx.abortSignal })
    .byPage({ maxPageSize: 100 });
  for await (const page of listing) {
    for (const b of page.segment.blobItems) {
      // The name itself lists first among those it prefixes; past it, there is nothing more to find.
      if (b.name !== item.name) return found;
      if (
        b.snapshot &&
        new Date(b.snapshot) >= since &&
        normalizeVersion(b.properties.etag ?? '') === item.etag &&
        (!found || b.snapshot > found.snapshot)
      ) {
        found = { snapshot: b.snapshot, etag: b.properties.etag!, lastModified: b.properties.lastModified };
      }
    }
  }
  return found;
}

/** Properties of the snapshot when the blob changed between listing and snapshot. */
async function currentProperties(
  blob: BlobClient,
  abortSignal: AbortSignal,
): Promise<Partial<SourceVersion> & { lastModified: string }> {
  const p = await blob.getProperties({ abortSignal });
  return {
    size: p.contentLength ?? 0,
    md5: p.contentMD5?.length ? Buffer.from(p.contentMD5).toString('base64') : undefined,
    contentType: p.contentType,
    metadata: p.metadata,
    accessTier: p.accessTier,
    lastModified: p.lastModified!.toISOString(),
  };
}
