// Catalog files: gzipped NDJSON blobs, written and read as streams so a page or a run never has to
// fit in memory as one string.
import type { BlobClient, BlockBlobClient } from '@azure/storage-blob';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { createGunzip, createGzip } from 'node:zlib';

/** How catalog files are stored: gzipped NDJSON, said so in their headers. */
export const NDJSON_GZIP_HEADERS = { blobContentType: 'application/x-ndjson', blobContentEncoding: 'gzip' };

export interface WriteNdjsonOptions {
  metadata?: Record<string, string>;
  /** Fail instead of replacing an existing blob. */
  createOnly?: boolean;
  abortSignal?: AbortSignal;
}

export async function writeNdjson(
  blob: BlockBlobClient,
  records: Iterable<unknown> | AsyncIterable<unknown>,
  options: WriteNdjsonOptions = {},
): Promise<void> {
  const lines = Readable.from(
    (async function* () {
      for await (const record of records) yield `${JSON.stringify(record)}\n`;
    })(),
  );
  // Catalog files are written on every run and read rarely: speed over ratio.
  const gzipped = lines.pipe(createGzip({ level: 1 }));
  await blob.uploadStream(gzipped, 4 * 1024 * 1024, 2, {
    blobHTTPHeaders: NDJSON_GZIP_HEADERS,
    metadata: options.metadata,
    conditions: options.createOnly ? { ifNoneMatch: '*' } : undefined,
    abortSignal: options.abortSignal,
  });
}

export async function* readNdjson<T>(blob: BlobClient, abortSignal?: AbortSignal): AsyncGenerator<T> {
  const response = await blob.download(0, undefined, { abortSignal });
  const lines = createInterface({
    input: (response.readableStreamBody as Readable).pipe(createGunzip()),
    crlfDelay: Infinity,
  });
  for await (const line of lines) {
    if (line) yield JSON.parse(line) as T;
  }
}

export async function writeJson(
  blob: BlockBlobClient,
  value: unknown,
  options: WriteNdjsonOptions = {},
): Promise<void> {
  const body = JSON.stringify(value, null, 2);
  await blob.upload(body, Buffer.byteLength(body), {
    blobHTTPHeaders: { blobContentType: 'application/json' },
    metadata: options.metadata,
    conditions: options.createOnly ? { ifNoneMatch: '*' } : undefined,
    abortSignal: options.abortSignal,
  });
}

export async function readJson<T>(blob: BlobClient, abortSignal?: AbortSignal): Promise<T> {
  const buffer = await blob.downloadToBuffer(0, undefined, { abortSignal });
  return JSON.parse(buffer.toString('utf8')) as T;
}
