// What the catalog says of one source blob in one run: the version it holds a copy of, or a tombstone
// for a blob deleted since. Every run's catalog is the full state of its scope, sorted by name.

export interface CatalogEntry {
  name: string;
  /** Source version (ETag without quotes) of the copy. */
  etag: string;
  lastModified: string;
  size: number;
  /** Base64 MD5 of the content (from the service, or computed by reading). */
  md5?: string;
  contentType?: string;
  /** Source snapshot the copy was made from (absent with snapshot: false). */
  snapshot?: string;
  /** Blob name of the copy in the backup container. */
  copy: string;
  verified: boolean;
  /** When this version was first backed up (ISO). */
  backedUpAt: string;
}

export interface Tombstone {
  name: string;
  deleted: true;
  /** Run time at which the blob was first seen missing (ISO). */
  deletedAt: string;
  /** The last version backed up, for restores that include deleted blobs. */
  last: CatalogEntry;
}

export type CatalogRecord = CatalogEntry | Tombstone;

export function isTombstone(record: CatalogRecord): record is Tombstone {
  return (record as Tombstone).deleted === true;
}

/** Size of the live blobs among the records (tombstones hold none). */
export function liveBytes(records: readonly CatalogRecord[]): number {
  let bytes = 0;
  for (const r of records) if (!isTombstone(r)) bytes += r.size;
  return bytes;
}

/** Blob names compare by UTF-16 code units, the order the Blob service lists them in. */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
