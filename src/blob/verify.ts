// Verification of a copy against its source version: size and MD5 always (computing the source MD5 by
// reading when the service has none), and in `deep` mode the copy is read back and hashed.
// A copy's stored Content-MD5 is trusted only where something other than us put it there honestly: the
// service carrying the source's over a Copy Blob (From URL), or this module after hashing the bytes. A
// copy without one (the ranged path, multi-block sources) is read and hashed, and only then stamped.
import type { BlobClient, BlobGetPropertiesResponse } from '@azure/storage-blob';
import { createHash } from 'node:crypto';
import type { VerifyMode } from '../domain/choices';

export type Verification = { ok: true; md5: string | undefined } | { ok: false; reason: string };

/** Streams the blob through MD5 (bounded memory); `ifMatch` pins the version that was checked. */
export async function md5OfBlob(blob: BlobClient, abortSignal?: AbortSignal, ifMatch?: string): Promise<string> {
  const response = await blob.download(0, undefined, {
    abortSignal,
    conditions: ifMatch ? { ifMatch } : undefined,
    maxRetryRequests: 5, // a dropped stream resumes where it stopped instead of failing the item
  });
  const hash = createHash('md5');
  for await (const chunk of response.readableStreamBody!) hash.update(chunk as Buffer);
  return hash.digest('base64');
}

/**
 * What is already known of the copy, sparing a read: the MD5 a synchronous copy's answer gave (the
 * service hashed what it read from the source and checked it against the source MD5 we sent), or the
 * properties read just before (a reused copy's touch).
 */
export type KnownCopy = { answerMd5?: string; props?: BlobGetPropertiesResponse };

export async function verifyCopy(
  /** blob: the source, or a way to get its client when it must be read (no MD5 known). */
  source: { blob: BlobClient | (() => BlobClient); size: number; md5?: string },
  copy: BlobClient,
  mode: VerifyMode,
  abortSignal?: AbortSignal,
  known: KnownCopy = {},
): Promise<Verification> {
  if (mode === 'none') return { ok: true, md5: source.md5 };
  if (mode === 'md5' && known.answerMd5 !== undefined && source.md5 !== undefined) {
    if (known.answerMd5 === source.md5) return { ok: true, md5: source.md5 };
    return { ok: false, reason: `MD5 mismatch: copy ${known.answerMd5}, source ${source.md5} (the copy's answer)` };
  }
  const props = known.props ?? (await copy.getProperties({ abortSignal }));
  if (props.contentLength !== source.size) {
    return { ok: false, reason: `size mismatch: copy has ${props.contentLength} bytes, source ${source.size}` };
  }
  const sourceMd5 =
    source.md5 ?? (await md5OfBlob(typeof source.blob === 'function' ? source.blob() : source.blob, abortSignal));
  const stored = toBase64(props.contentMD5);
  const copyMd5 = mode === 'deep' || stored === undefined ? await md5OfBlob(copy, abortSignal, props.etag) : stored;
  if (copyMd5 !== sourceMd5) {
    const how = mode === 'deep' ? ' (read back)' : stored === undefined ? ' (copy read and hashed)' : '';
    return { ok: false, reason: `MD5 mismatch: copy ${copyMd5}, source ${sourceMd5}${how}` };
  }
  // Now that its bytes are known to match, the copy carries its MD5 like any other (restores check it).
  if (stored === undefined) await stampMd5(copy, props, copyMd5, abortSignal);
  return { ok: true, md5: sourceMd5 };
}

/** Set Blob Properties replaces every header: the others are written back as they were. */
async function stampMd5(
  blob: BlobClient,
  props: BlobGetPropertiesResponse,
  md5: string,
  abortSignal?: AbortSignal,
): Promise<void> {
  await blob.setHTTPHeaders(
    {
      blobContentMD5: Buffer.from(md5, 'base64'),
      blobContentType: props.contentType,
      blobContentEncoding: props.contentEncoding,
      blobContentLanguage: props.contentLanguage,
      blobContentDisposition: props.contentDisposition,
      blobCacheControl: props.cacheControl,
    },
    // Only the version that was hashed: a copy rewritten meanwhile (full mode) is not stamped blindly.
    { conditions: { ifMatch: props.etag }, abortSignal },
  );
}

function toBase64(md5: Uint8Array | undefined): string | undefined {
  return md5 && md5.length ? Buffer.from(md5).toString('base64') : undefined;
}
