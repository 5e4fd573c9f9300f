// Reading a stored object back from Blob Storage as a stream of chunks, the start of a restore or deep
// verify chain. The SDK resumes a broken download from where it stopped, pinned to the blob's ETag, so a
// blob replaced mid-read fails instead of splicing two versions.
import type { BlobClient } from '@azure/storage-blob';
import type { Readable } from 'node:stream';

export interface ReadBlobOptions {
  abortSignal?: AbortSignal;
  /** Resumes after a dropped connection; default 5. */
  maxRetryRequests?: number;
}

export async function* readBlob(blob: BlobClient, options: ReadBlobOptions = {}): AsyncGenerator<Buffer> {
  const response = await blob.download(0, undefined, {
    abortSignal: options.abortSignal,
    maxRetryRequests: options.maxRetryRequests ?? 5,
  });
  const body = response.readableStreamBody as Readable | undefined;
  if (!body) throw new Error(`${blob.name}: the download has no body`);
  try {
    for await (const chunk of body) yield chunk as Buffer;
  } finally {
    body.destroy();
  }
}
