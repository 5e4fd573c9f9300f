// Catalog files: gzipped NDJSON blobs, written and read as streams so a page or a run never has to
// fit in memory as one string.
import type { BlobClient, BlockBlobClient } from '@azure/storage-blob';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { createGunzip, createGzip } from 'node:zlib';
import { CorruptCatalogError } from '../domain/failures';

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
  const upload = {
    blobHTTPHeaders: NDJSON_GZIP_HEADERS,
    metadata: options.metadata,
    conditions: options.createOnly ? { ifNoneMatch: '*' } : undefined,
    abortSignal: options.abortSignal,
  };
  // Most catalog files (a page's journal and entries) fit one block: one Put Blob instead of Put Block +
  // Put Block List. Only a larger file is staged in blocks, streamed on from what was read so far.
  const chunks = gzipped[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const head: Buffer[] = [];
  let bytes = 0;
  while (bytes <= BLOCK_BYTES) {
    const next = await chunks.next();
    if (next.done) {
      const body = Buffer.concat(head);
      await blob.upload(body, body.length, upload);
      return;
    }
    head.push(next.value);
    bytes += next.value.length;
  }
  const rest = Readable.from(
    (async function* () {
      yield* head;
      for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield next.value;
    })(),
  );
  await blob.uploadStream(rest, BLOCK_BYTES, 2, upload);
}

const BLOCK_BYTES = 4 * 1024 * 1024;

/**
 * The records of a gzipped NDJSON blob, streamed. Bytes that are not gzip, a stream cut short inside the
 * gzip data or a line that is not JSON are a CorruptCatalogError naming the blob (retrying reads the
 * same bytes); a dropped connection stays the transient error it is.
 */
export async function* readNdjson<T>(blob: BlobClient, abortSignal?: AbortSignal): AsyncGenerator<T> {
  const response = await blob.download(0, undefined, { abortSignal });
  const lines = createInterface({
    input: (response.readableStreamBody as Readable).pipe(createGunzip()),
    crlfDelay: Infinity,
  });
  try {
    for await (const line of lines) {
      if (line) yield parseLine<T>(line, blob.name);
    }
  } catch (err) {
    throw asCorrupt(err, blob.name);
  }
}

/** A parse or decompression failure as the catalog's error; anything else as it was. */
export function asCorrupt(err: unknown, blobName: string): unknown {
  if (err instanceof CorruptCatalogError) return err;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && code.startsWith('Z_'))
    return new CorruptCatalogError(blobName, (err as Error).message);
  if (err instanceof SyntaxError) return new CorruptCatalogError(blobName, err.message);
  return err;
}

export function parseLine<T>(line: string, blobName: string): T {
  try {
    return JSON.parse(line) as T;
  } catch (err) {
    throw new CorruptCatalogError(blobName, `a line is not JSON: ${(err as Error).message}`);
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
  return parseLine<T>(buffer.toString('utf8'), blob.name);
}
