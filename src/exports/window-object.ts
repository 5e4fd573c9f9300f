// One window of documents through the pipeline into the backup account, and back: NDJSON, metered as
// exported (plaintext), then gzip and AES-256-GCM as asked, metered as stored, into a block blob whose
// block list is committed only at the end (a failed attempt leaves no object; a retry writes it whole,
// so a window is exported atomically, never resumed halfway with duplicate or missing lines). Reading
// back verifies the stored digest, decrypts chunk by chunk, and verifies the plaintext digest and count.
import type { BlobClient, BlockBlobClient } from '@azure/storage-blob';
import type { ExportDigest } from '../domain/export-manifest';
import { aesGcmFilter } from '../pipeline/aes-gcm';
import { BlobSink } from '../pipeline/blob-sink';
import { readBlob } from '../pipeline/blob-source';
import { openChain, runChain } from '../pipeline/chain';
import type { EncryptionKey } from '../pipeline/encryption-key';
import { IntegrityError } from '../pipeline/errors';
import { describeFilters, forwardStages, reverseStages, type Filter } from '../pipeline/filter';
import { filtersFromCatalog } from '../pipeline/filters-from-catalog';
import { gzipFilter } from '../pipeline/gzip';
import type { KeyResolver } from '../pipeline/key-ring';
import { HashMeter, VerifyingMeter } from '../pipeline/meter';
import { decodeNdjson, encodeNdjson } from '../pipeline/ndjson';
import type { ExportedDocument } from './document-store';

export interface ChainSpec {
  compression: 'gzip' | 'none';
  /** 1-9; default 1. */
  gzipLevel?: number;
  /** Resolved by the worker from the key name the workflow carries. */
  key?: EncryptionKey;
}

export interface StoredWindow {
  documents: number;
  plain: ExportDigest;
  stored: ExportDigest;
  filters: unknown[];
}

export interface WriteWindowOptions {
  abortSignal?: AbortSignal;
  /** Every 1,000 documents. */
  onProgress?: (documents: number) => void;
  /** Each document as it is written (a tally in the same loop, not another async generator per document). */
  onDocument?: (document: ExportedDocument) => void;
  blockBytes?: number;
}

export function chainOf(spec: ChainSpec): Filter[] {
  return [
    ...(spec.compression === 'gzip' ? [gzipFilter({ level: spec.gzipLevel })] : []),
    ...(spec.key ? [aesGcmFilter(spec.key)] : []),
  ];
}

/** What the chain makes of NDJSON, as the object's name says it: `.ndjson`, `.gz`, `.enc`. */
export function objectExtension(spec: Pick<ChainSpec, 'compression'> & { encrypted: boolean }): string {
  return `.ndjson${spec.compression === 'gzip' ? '.gz' : ''}${spec.encrypted ? '.enc' : ''}`;
}

export async function writeWindowObject(
  documents: AsyncIterable<ExportedDocument>,
  target: BlockBlobClient,
  spec: ChainSpec,
  options: WriteWindowOptions = {},
): Promise<StoredWindow> {
  const filters = chainOf(spec);
  const plain = new HashMeter();
  let count = 0;
  const counted = (n: number, document: unknown) => {
    count = n;
    options.onDocument?.(document as ExportedDocument);
    if (n % 1000 === 0) options.onProgress?.(n);
  };
  const stored = await runChain(
    encodeNdjson(documents, { onRecord: counted }),
    [plain, ...forwardStages(filters)],
    new BlobSink(target, {
      blockBytes: options.blockBytes,
      blobHTTPHeaders: { blobContentType: 'application/x-ndjson' },
    }),
    { abortSignal: options.abortSignal },
  );
  return {
    documents: count,
    plain: plain.digest(),
    stored: { bytes: stored.bytes, sha256: stored.sha256 },
    filters: describeFilters(filters),
  };
}

export interface ReadWindowOptions {
  keys: KeyResolver;
  abortSignal?: AbortSignal;
}

/** The documents of a stored window, each released only once verified as far as it can be. */
export async function* readWindowObject(
  source: BlobClient,
  record: { documents: number; plain: ExportDigest; stored?: ExportDigest; filters: unknown[] },
  options: ReadWindowOptions,
): AsyncGenerator<ExportedDocument> {
  const filters = await filtersFromCatalog(record.filters, options);
  const stages = [
    ...(record.stored ? [new VerifyingMeter(record.stored, `stored bytes of ${source.name}`)] : []),
    ...reverseStages(filters),
    new VerifyingMeter(record.plain, `exported documents of ${source.name}`),
  ];
  const stream = openChain(readBlob(source, { abortSignal: options.abortSignal }), stages, options);
  let count = 0;
  for await (const document of decodeNdjson<ExportedDocument>(stream)) {
    count++;
    yield document;
  }
  if (count !== record.documents)
    throw new IntegrityError(
      'digest-mismatch',
      `${source.name} holds ${count} documents, the catalog says ${record.documents}`,
    );
}

/** Decrypts the first chunk of a stored window: a wrong key fails here, before anything is written. */
export async function probeKey(
  source: BlobClient,
  record: { filters: unknown[] },
  options: ReadWindowOptions,
): Promise<void> {
  const filters = await filtersFromCatalog(record.filters, options);
  if (!filters.some((f) => f.description.kind === 'aes-256-gcm')) return;
  const stream = openChain(readBlob(source, { abortSignal: options.abortSignal }), reverseStages(filters), options);
  try {
    for await (const _chunk of stream) break; // the first plaintext is released only once its tag verified
  } finally {
    stream.destroy();
  }
}
