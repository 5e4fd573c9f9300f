// One blob through a restore: the catalog's version of it is copied server-side from the backup
// account to the target, under the overwrite policy, with content type, metadata and tags, then
// checked (size + MD5) against the catalog. Permanent problems of the item are reported; problems of the
// account or container, and transient ones, throw. An overwrite is conditional on the version the policy
// looked at (If-Match its ETag): a blob written at the target meanwhile is left alone and reported.
import type { ContainerClient } from '@azure/storage-blob';
import type { CatalogEntry } from '../domain/catalog-record';
import type { BlobAccount } from '../storage/blob-account';
import type { OverwritePolicy, RestoreVerifyMode } from '../domain/choices';
import { errorCodeOf, firstLine, isAccountLevel, statusCodeOf, unlessNotFound } from '../storage/errors';
import { copyVersion } from './copy';
import { verifyCopy } from './verify';

export interface RestoreItemResult {
  name: string;
  outcome: 'restored' | 'skipped' | 'failed';
  reason?: string;
  bytes: number;
}

export interface RestoreContext {
  backup: BlobAccount;
  backupContainer: ContainerClient;
  target: ContainerClient;
  overwrite: OverwritePolicy;
  verify: RestoreVerifyMode;
  dryRun: boolean;
  largeBlobThresholdBytes: number;
  blockBytes?: number;
  abortSignal: AbortSignal;
  /** Called while a large copy makes progress (activities heartbeat with it). */
  onProgress?: () => void;
}

/** `expiredDeletionAt`: the blob was deleted then, before the oldest kept run; its copy may be collected. */
export async function restoreItem(
  ctx: RestoreContext,
  entry: CatalogEntry,
  expiredDeletionAt?: string,
): Promise<RestoreItemResult> {
  const result = (outcome: RestoreItemResult['outcome'], reason?: string, bytes = 0): RestoreItemResult => ({
    name: entry.name,
    outcome,
    reason,
    bytes,
  });
  try {
    const target = ctx.target.getBlockBlobClient(entry.name);
    const existing = await unlessNotFound(target.getProperties({ abortSignal: ctx.abortSignal }));
    if (existing) {
      const stored = existing.contentMD5?.length ? Buffer.from(existing.contentMD5).toString('base64') : undefined;
      if (existing.contentLength === entry.size && stored !== undefined && stored === entry.md5)
        return result('skipped', 'the target already holds this version');
      if (ctx.overwrite === 'never') return result('skipped', 'exists at the target (overwrite: never)');
      if (ctx.overwrite === 'ifNewer' && existing.lastModified! >= new Date(entry.lastModified))
        return result('skipped', 'the target is as new or newer (overwrite: ifNewer)');
    }
    const copy = ctx.backupContainer.getBlobClient(entry.copy);
    // Read in a dry run too: a backup object that is gone is reported as the real run would.
    const props = await copy.getProperties({ abortSignal: ctx.abortSignal });
    if (ctx.dryRun) return result('restored', existing ? 'would overwrite' : 'would restore', entry.size);

    const tags = props.tagCount ? (await copy.getTags({ abortSignal: ctx.abortSignal })).tags : undefined;
    const url = await ctx.backup.readUrl(copy, { abortSignal: ctx.abortSignal });
    const copied = await copyVersion(
      url,
      {
        size: entry.size,
        md5: entry.md5,
        contentType: entry.contentType ?? props.contentType,
        metadata: props.metadata,
        tags,
        accessTier: props.accessTier,
      },
      target,
      {
        // Only what the policy looked at: nothing where nothing was, or exactly the version it judged.
        targetCondition: existing ? { ifMatch: existing.etag! } : { ifNoneMatch: '*' },
        largeBlobThresholdBytes: ctx.largeBlobThresholdBytes,
        blockBytes: ctx.blockBytes,
        abortSignal: ctx.abortSignal,
        onProgress: ctx.onProgress,
      },
    );
    if (!copied.wrote)
      return result('skipped', 'written at the target by someone else while restoring; left as they wrote it');
    // Checked against the catalog's hash, not the backup object's stored properties.
    const check = await verifyCopy(
      { blob: copy, size: entry.size, md5: entry.md5 },
      target,
      ctx.verify,
      ctx.abortSignal,
    );
    if (!check.ok) return result('failed', `verification failed: ${check.reason}`);
    return result('restored', undefined, entry.size);
  } catch (err) {
    const status = statusCodeOf(err);
    if (status === 404 && errorCodeOf(err) === 'BlobNotFound') {
      return expiredDeletionAt
        ? result(
            'skipped',
            `deleted at the source (seen ${expiredDeletionAt}) before the oldest kept run: retention has collected its last copy`,
          )
        : result('failed', `the backup object ${entry.copy} is missing`);
    }
    if (isAccountLevel(err)) throw err; // every item would fail the same way: the run stops and says why
    if (status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429)
      return result('failed', `${status} ${errorCodeOf(err) ?? ''}: ${firstLine(err)}`);
    throw err;
  }
}
