// Server-side copy of one source version into the backup account. Up to the large-blob threshold:
// Copy Blob From URL (one synchronous call). Above it: Put Block From URL in ranges and a block list
// commit; where the service answers 501 to that, asynchronous Copy Blob, polled with heartbeats.
// A ranged copy is committed without a Content-MD5: nothing has hashed its bytes yet, so claiming the
// source's would make an MD5 check compare the source with itself (verify.ts hashes it, then sets it).
import type { BlockBlobClient } from '@azure/storage-blob';
import { mapWithConcurrency } from '../lib/async-pool';
import { errorCodeOf, statusCodeOf } from '../storage/errors';

/** Copy Blob From URL accepts sources up to 256 MiB. */
export const MAX_SYNC_COPY_BYTES = 256 * 1024 * 1024;
const BLOCK_BYTES = 100 * 1024 * 1024;
/** A block blob holds at most 50,000 committed blocks. */
export const MAX_BLOCKS = 50_000;

export interface SourceVersion {
  size: number;
  md5?: string;
  contentType?: string;
  metadata?: Record<string, string>;
  tags?: Record<string, string>;
  accessTier?: string;
}

/** What the target must be for the copy to be written: absent (the default), or exactly this version. */
export type TargetCondition = { ifNoneMatch: '*' } | { ifMatch: string };

export interface CopyOptions {
  /**
   * Default: write only where no blob is (an existing one is kept and reported). Restores that
   * overwrite name the version they decided to replace, so a blob written there meanwhile is not.
   */
  targetCondition?: TargetCondition;
  largeBlobThresholdBytes: number;
  /** Copy only if the source still has this ETag (quoted); used when there is no snapshot. */
  sourceEtag?: string;
  /** Block size for the ranged path (tests use small blocks). */
  blockBytes?: number;
  abortSignal: AbortSignal;
  /** Called as blocks land and while an asynchronous copy is polled (activities heartbeat with it). */
  onProgress?: () => void;
}

export type CopyResult =
  /** md5: the copy's MD5 as the synchronous copy's answer gives it (only when the source MD5 was sent). */
  | { wrote: true; path: 'sync' | 'blocks' | 'async'; md5?: string }
  /** exists: a blob was there (absent required); changed: not the version the condition named. */
  | { wrote: false; because: 'exists' | 'changed' };

export async function copyVersion(
  sourceUrl: string,
  version: SourceVersion,
  target: BlockBlobClient,
  options: CopyOptions,
): Promise<CopyResult> {
  const conditions = options.targetCondition ?? { ifNoneMatch: '*' };
  const tier = copyableTier(version.accessTier);
  try {
    if (version.size <= Math.min(options.largeBlobThresholdBytes, MAX_SYNC_COPY_BYTES)) {
      const answer = await target.syncCopyFromURL(sourceUrl, {
        conditions,
        // The service hashes what it reads from the source and refuses a mismatch (transport integrity).
        sourceContentMD5: md5Bytes(version.md5),
        sourceConditions: options.sourceEtag ? { ifMatch: options.sourceEtag } : undefined,
        tier,
        tags: version.tags,
        abortSignal: options.abortSignal,
      });
      const md5 = answer.contentMD5?.length ? Buffer.from(answer.contentMD5).toString('base64') : undefined;
      return { wrote: true, path: 'sync', md5 };
    }
    try {
      await copyInBlocks(sourceUrl, version, target, options, conditions);
      return { wrote: true, path: 'blocks' };
    } catch (err) {
      if (statusCodeOf(err) !== 501) throw err;
      await copyAsync(sourceUrl, version, target, options, conditions);
      return { wrote: true, path: 'async' };
    }
  } catch (err) {
    if (statusCodeOf(err) === 409 && errorCodeOf(err) === 'BlobAlreadyExists')
      return { wrote: false, because: 'exists' };
    // A block list commit against an existing blob with if-none-match fails with 412, as does If-Match.
    if (statusCodeOf(err) === 412 && errorCodeOf(err) === 'ConditionNotMet')
      return { wrote: false, because: 'ifMatch' in conditions ? 'changed' : 'exists' };
    throw err;
  }
}

async function copyInBlocks(
  sourceUrl: string,
  version: SourceVersion,
  target: BlockBlobClient,
  options: CopyOptions,
  conditions: TargetCondition,
): Promise<void> {
  // Blocks grow where the size asks for more than 50,000 of them (above 4.7 TiB at 100 MiB).
  const blockBytes = Math.max(options.blockBytes ?? BLOCK_BYTES, Math.ceil(version.size / MAX_BLOCKS));
  const count = Math.ceil(version.size / blockBytes);
  // Deterministic ids: a retry restages the same blocks, and uncommitted ones are simply replaced.
  const ids = Array.from({ length: count }, (_, i) =>
    Buffer.from(`azb-${String(i).padStart(6, '0')}`).toString('base64'),
  );
  await mapWithConcurrency(ids, 4, async (id, i) => {
    const offset = i * blockBytes;
    await target.stageBlockFromURL(id, sourceUrl, offset, Math.min(blockBytes, version.size - offset), {
      abortSignal: options.abortSignal,
    });
    options.onProgress?.();
  });
  await target.commitBlockList(ids, {
    conditions,
    blobHTTPHeaders: { blobContentType: version.contentType },
    metadata: version.metadata,
    tags: version.tags,
    tier: copyableTier(version.accessTier),
    abortSignal: options.abortSignal,
  });
}

async function copyAsync(
  sourceUrl: string,
  version: SourceVersion,
  target: BlockBlobClient,
  options: CopyOptions,
  conditions: TargetCondition,
): Promise<void> {
  const poller = await target.beginCopyFromURL(sourceUrl, {
    conditions,
    sourceConditions: options.sourceEtag ? { ifMatch: options.sourceEtag } : undefined,
    tier: copyableTier(version.accessTier),
    tags: version.tags,
    abortSignal: options.abortSignal,
    intervalInMs: 1_000,
  });
  poller.onProgress(() => options.onProgress?.());
  const result = await poller.pollUntilDone();
  if (result.copyStatus && result.copyStatus !== 'success') {
    throw new Error(`asynchronous copy ended ${result.copyStatus}`);
  }
}

/** Archive cannot be a copy target's tier on creation; Hot/Cool/Cold carry over. */
function copyableTier(tier: string | undefined): 'Hot' | 'Cool' | 'Cold' | undefined {
  return tier === 'Hot' || tier === 'Cool' || tier === 'Cold' ? tier : undefined;
}

function md5Bytes(md5: string | undefined): Uint8Array | undefined {
  return md5 ? Buffer.from(md5, 'base64') : undefined;
}
