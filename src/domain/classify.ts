// Classification of one listing page against the previous run's catalog for the same name range:
// a merge of two sorted sequences, so memory stays at one page whatever the container holds.
import { compareNames, isTombstone, type CatalogEntry, type CatalogRecord, type Tombstone } from './catalog-record';

export interface ListedBlob {
  name: string;
  etag: string;
  lastModified: string;
  size: number;
  md5?: string;
  contentType?: string;
  accessTier?: string;
}

export type Classified =
  | { kind: 'new'; blob: ListedBlob }
  | { kind: 'modified'; blob: ListedBlob; previous: CatalogEntry }
  | { kind: 'unchanged'; blob: ListedBlob; previous: CatalogEntry };

export interface ClassifyOptions {
  /** Full mode: every listed blob is copied again. */
  full?: boolean;
  /** Treat unchanged blobs whose copy is not verified (or has no snapshot, when required) as modified. */
  redoUnverified?: boolean;
  requireSnapshot?: boolean;
  /**
   * A run that verifies (md5/deep): an unchanged blob whose record is unverified (a `verify: none` run
   * made it) is redone, so the run's chunks never carry an unverified record under a verified manifest.
   */
  requireVerified?: boolean;
}

export interface ClassifiedPage {
  items: Classified[];
  /** Live in the previous run, gone now: becomes a tombstone in this run. */
  deleted: CatalogEntry[];
  /** Tombstones carried over from earlier runs (still deleted). */
  carriedTombstones: Tombstone[];
}

/** `listed` and `previous` must both be sorted by name and cover the same name range. */
export function classifyPage(
  listed: ListedBlob[],
  previous: CatalogRecord[],
  options: ClassifyOptions = {},
): ClassifiedPage {
  const out: ClassifiedPage = { items: [], deleted: [], carriedTombstones: [] };
  let i = 0;
  let j = 0;
  while (i < listed.length || j < previous.length) {
    const blob = listed[i];
    const prev = previous[j];
    const order = blob && prev ? compareNames(blob.name, prev.name) : blob ? -1 : 1;
    if (order < 0) {
      out.items.push({ kind: 'new', blob: blob! });
      i++;
    } else if (order > 0) {
      if (isTombstone(prev!)) out.carriedTombstones.push(prev!);
      else out.deleted.push(prev!);
      j++;
    } else {
      out.items.push(isTombstone(prev!) ? { kind: 'new', blob: blob! } : compare(blob!, prev!, options));
      i++;
      j++;
    }
  }
  return out;
}

function compare(blob: ListedBlob, previous: CatalogEntry, options: ClassifyOptions): Classified {
  const changed =
    blob.etag !== previous.etag || blob.size !== previous.size || blob.lastModified !== previous.lastModified;
  const incomplete =
    (options.requireVerified && !previous.verified) ||
    (options.redoUnverified && (!previous.verified || (options.requireSnapshot && !previous.snapshot)));
  if (changed || options.full || incomplete) return { kind: 'modified', blob, previous };
  return { kind: 'unchanged', blob, previous };
}
