// One blob through the backup: (lease) -> snapshot -> server-side copy under its deterministic name ->
// verify -> catalog entry. Permanent problems of the item become a reported skip or failure; problems of
// the account or container (refused credential, container gone) and transient ones throw.
//
// Nothing here deletes or rewrites a copy: a committed run may reference any copy under its name. A copy
// is only ever created (If-None-Match: *). Full mode and a recopy of an existing copy that fails
// verification write a second copy of the version under a name of this run's (a generation); a fresh
// copy that fails verification is left for garbage collection, since no committed run references it.
import type { BlobClient, ContainerClient } from '@azure/storage-blob';
import { createHash } from 'node:crypto';
import { VERIFICATION_FAILED } from '../domain/backup-counts';
import { backupObjectName, normalizeVersion } from '../domain/backup-naming';
import type { CatalogEntry } from '../domain/catalog-record';
import type { BlobAccount } from '../storage/blob-account';
import type { ItemResult } from '../catalog/page-journal';
import type { VerifyMode } from '../domain/choices';
import { errorCodeOf, firstLine, isAccountLevel, statusCodeOf } from '../storage/errors';
import { copyVersion, type CopyOptions, type SourceVersion } from './copy';
import type { InventoryItem } from './listing';
import { LeasedByAnotherWriter, LeaseLost, withLease, type LeaseTiming } from './lease';
import { touchCopy } from './touch-copy';
import { verifyCopy, type KnownCopy, type Verification } from './verify';

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
  copy: Omit<CopyOptions, 'abortSignal' | 'targetCondition'>;
  /** Full mode: every listed blob gets a new copy of this run's, whatever copies exist. */
  full: boolean;
  /** The run's key: names its second copies (generations) and its leases. */
  runKey: string;
  /**
   * Declares copies before they are written (catalog/copy-intents.ts). The page declares what it can
   * predict; an item whose blob changed since it was listed declares its own before copying.
   */
  declareCopies: (names: string[]) => Promise<void>;
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
      { timing: ctx.lease, proposedLeaseId: runLeaseId(ctx.runKey, item.name) },
    );
  } catch (err) {
    if (err instanceof LeasedByAnotherWriter) return skip(err.message);
    if (isAccountLevel(err)) throw err; // every item would fail the same way: the run stops and says why
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
  // The snapshot's own client only where something reads it: the read URL is signed without one.
  const from = () => (version.snapshot ? base.withSnapshot(version.snapshot) : base);
  if (ctx.snapshot) {
    const earlier = ctx.reuseSnapshotsSince && (await earlierSnapshot(ctx, item, ctx.reuseSnapshotsSince));
    const snap =
      earlier ??
      (await base.createSnapshot({
        conditions: leaseId ? { leaseId } : undefined,
        abortSignal: ctx.abortSignal,
      }));
    version = {
      ...version,
      snapshot: snap.snapshot,
      etag: normalizeVersion(snap.etag!),
      lastModified: snap.lastModified!.toISOString(),
    };
    if (version.etag !== item.etag) version = { ...version, ...(await currentProperties(from(), ctx.abortSignal)) };
  }
  const url = await ctx.source.readUrl(base, { abortSignal: ctx.abortSignal, snapshot: version.snapshot });
  const nameOf = (generation?: string) => copyNameOf(ctx, item.name, version.etag, generation);
  // Named by a version the page could not predict from its listing: declared now, before it is written.
  if (version.etag !== item.etag) await ctx.declareCopies(copyNamesOf(ctx, { ...item, etag: version.etag }));
  const attempt = (copyName: string) =>
    copyAndVerify(ctx, { url, from, version, copyName, listedEtag: ctx.snapshot ? undefined : item.etag });
  let copyName = nameOf(ctx.full ? ctx.runKey : undefined);
  let done = await attempt(copyName);
  let note: string | undefined;
  if (!done.check.ok && !done.wrote) {
    // An existing copy of this version does not match it: never deleted (a committed run may hold it),
    // reported, and the version copied again under a name of this run's.
    note = `the existing copy ${copyName} failed verification (${done.check.reason}); copied again`;
    copyName = nameOf(recopyGeneration(ctx));
    done = await attempt(copyName);
  }
  const snapshotted = version.snapshot !== undefined;
  if (!done.check.ok) {
    const reason = `${VERIFICATION_FAILED}: ${done.check.reason}${note ? `; before that, ${note}` : ''}`;
    return { name: item.name, outcome: 'failed', reason, snapshotted, bytes: 0 };
  }
  const entry: CatalogEntry = {
    name: item.name,
    etag: version.etag,
    lastModified: version.lastModified,
    size: version.size,
    md5: done.check.md5,
    contentType: version.contentType,
    snapshot: version.snapshot,
    copy: copyName,
    verified: ctx.verify !== 'none',
    backedUpAt: ctx.runStartedAt,
  };
  if (done.wrote) return { name: item.name, outcome: 'copied', reason: note, entry, snapshotted, bytes: version.size };
  return {
    name: item.name,
    outcome: 'skipped',
    reason: 'an identical copy already exists',
    entry,
    snapshotted,
    bytes: 0,
  };
}

function copyNameOf(ctx: ItemContext, blobName: string, version: string, generation?: string): string {
  return backupObjectName({ account: ctx.source.accountName, container: ctx.container, blobName, version, generation });
}

/** A recopy's generation: this run's, or in full mode (where the first copy already is this run's) another. */
function recopyGeneration(ctx: ItemContext): string {
  return ctx.full ? `${ctx.runKey}-again` : ctx.runKey;
}

/** Every copy name backing up this listed version may write: the first copy, and the recopy's. */
export function copyNamesOf(ctx: ItemContext, item: { name: string; etag: string }): string[] {
  return [
    copyNameOf(ctx, item.name, item.etag, ctx.full ? ctx.runKey : undefined),
    copyNameOf(ctx, item.name, item.etag, recopyGeneration(ctx)),
  ];
}

/**
 * Creates the copy `copyName` (or finds it there: then it is touched, so a garbage collection sweep
 * racing this run keeps it, and copied again if a sweep took it), then verifies it against the source.
 */
async function copyAndVerify(
  ctx: ItemContext,
  job: { url: string; from: () => BlobClient; version: SourceVersion; copyName: string; listedEtag?: string },
): Promise<{ wrote: boolean; check: Verification }> {
  const target = ctx.backupContainer.getBlockBlobClient(job.copyName);
  const copy = () =>
    copyVersion(job.url, job.version, target, {
      ...ctx.copy,
      // Without a snapshot, copy only the version that was listed.
      sourceEtag: job.listedEtag === undefined ? undefined : `"${job.listedEtag}"`,
      abortSignal: ctx.abortSignal,
    });
  let copied = await copy();
  let known: KnownCopy = copied.wrote ? { answerMd5: copied.md5 } : {};
  if (!copied.wrote) {
    const props = await touchCopy(target, ctx.abortSignal);
    if (props) known = { props };
    else {
      copied = await copy();
      known = copied.wrote ? { answerMd5: copied.md5 } : {};
    }
  }
  const check = await verifyCopy(
    { blob: job.from, size: job.version.size, md5: job.version.md5 },
    target,
    ctx.verify,
    ctx.abortSignal,
    known,
  );
  return { wrote: copied.wrote, check };
}

/**
 * The lease this run proposes on a blob: a GUID derived from (run, blob), so a retried page (after a
 * crash) recognises a lease its earlier attempt still holds as its own, not as another writer's.
 */
export function runLeaseId(runKey: string, blobName: string): string {
  const h = createHash('sha256').update(`${runKey}\n${blobName}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The newest snapshot of exactly the listed version (same ETag) taken at or after `since`. */
export async function earlierSnapshot(
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
