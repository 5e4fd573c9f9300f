// Verification of a copy against its source version: size and MD5 always (computing the source MD5 by
// reading when the service has none), and in `deep` mode the copy is read back and hashed.
import type { BlobClient } from '@azure/storage-blob';
import { createHash } from 'node:crypto';

export type VerifyMode = 'md5' | 'deep' | 'none';

export type Verification = { ok: true; md5: string | undefined } | { ok: false; reason: string };

export async function md5OfBlob(blob: BlobClient, abortSignal?: AbortSignal): Promise<string> {
  const response = await blob.download(0, undefined, { abortSignal });
  const hash = createHash('md5');
  for await (const chunk of response.readableStreamBody!) hash.update(chunk as Buffer);
  return hash.digest('base64');
}

export async function verifyCopy(
  source: { blob: BlobClient; size: number; md5?: string },
  copy: BlobClient,
  mode: VerifyMode,
  abortSignal?: AbortSignal,
): Promise<Verification> {
  if (mode === 'none') return { ok: true, md5: source.md5 };
  const props = await copy.getProperties({ abortSignal });
  if (props.contentLength !== source.size) {
    return { ok: false, reason: `size mismatch: copy has ${props.contentLength} bytes, source ${source.size}` };
  }
  const sourceMd5 = source.md5 ?? (await md5OfBlob(source.blob, abortSignal));
  // A copy without a stored MD5 (multi-block sources) is read back: "verified" always means compared.
  const stored = toBase64(props.contentMD5);
  const copyMd5 = mode === 'deep' || stored === undefined ? await md5OfBlob(copy, abortSignal) : stored;
  if (copyMd5 !== sourceMd5) {
    return {
      ok: false,
      reason: `MD5 mismatch: copy ${copyMd5}, source ${sourceMd5}${mode === 'deep' ? ' (read back)' : ''}`,
    };
  }
  return { ok: true, md5: sourceMd5 };
}

function toBase64(md5: Uint8Array | undefined): string | undefined {
  return md5 && md5.length ? Buffer.from(md5).toString('base64') : undefined;
}
