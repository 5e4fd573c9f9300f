// src/pipeline: the streamed backup pipeline. A backup of anything that is a byte stream (a Cosmos DB or
// MongoDB export as NDJSON, later a directory tar or `pg_dump` output) is a source, a chain of filters
// and a sink, streamed end to end with bounded memory: never dump, then compress, then upload.
//
//   backup:  records → encodeNdjson → HashMeter (plaintext) → gzip → AES-256-GCM → BlobSink / FileSink
//            (the sinks report bytes and SHA-256 of what they stored; the catalog records both digests
//            and describeFilters(filters))
//   restore: readBlob / readLocalFile → VerifyingMeter (stored) → reverseStages(filtersFromCatalog(...))
//            → VerifyingMeter (plaintext) → decodeNdjson → records
//
// Keys are named in config (key-config.ts) and resolved by the worker (KeyRing); workflows and catalog
// records carry only the name. Errors that a retry cannot fix are IntegrityError, WrongKeyError and
// KeyConfigError (NON_RETRYABLE_PIPELINE_ERRORS).
export { aesGcmFilter, type AesGcmFilterOptions } from './aes-gcm';
export { BlobSink, type BlobSinkOptions, type StoredBlob } from './blob-sink';
export { readBlob, type ReadBlobOptions } from './blob-source';
export { openChain, runChain, type ChainOptions, type ChainSource, type Sink, type SinkWriteOptions } from './chain';
export { DecryptStream } from './decrypt';
export { DiscardSink } from './discard-sink';
export { EncryptStream, type EncryptOptions } from './encrypt';
export { DEFAULT_CHUNK_BYTES, FORMAT_VERSION, MAGIC } from './encryption-format';
export { EncryptionKey, KEY_BYTES } from './encryption-key';
export {
  IntegrityError,
  KeyConfigError,
  NON_RETRYABLE_PIPELINE_ERRORS,
  WrongKeyError,
  type IntegrityProblem,
} from './errors';
export { FileSink, type FileSinkOptions, type StoredFile } from './file-sink';
export { readLocalFile, type ReadFileOptions } from './file-source';
export { describeFilters, forwardStages, reverseStages, type Filter } from './filter';
export { filterDescriptionSchema, type FilterDescription } from './filter-description';
export { filtersFromCatalog, type FiltersFromCatalogOptions } from './filters-from-catalog';
export { gzipFilter, type GzipFilterOptions } from './gzip';
export { KEY_NAME, keysConfigSchema, keySourceSchema, type KeysConfig, type KeySource } from '../config/key-config';
export { KeyRing, type KeyResolver, type KeyRingOptions, type ResolveKeyOptions } from './key-ring';
export { HashMeter, VerifyingMeter, type Digest } from './meter';
export { decodeNdjson, encodeNdjson, type DecodeNdjsonOptions, type EncodeNdjsonOptions } from './ndjson';
