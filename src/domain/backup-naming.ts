// Where a copy lives in the backup account. The name is a pure function of (source account, container,
// blob, source version), so a rerun finds the copies it already made and never writes one twice.
import { fnv1a64 } from './catalog-layout';

export interface SourceVersion {
  /** Storage account name of the source (stable, unlike connection names). */
  account: string;
  container: string;
  blobName: string;
  /** The source version: the blob's ETag (without quotes). */
  version: string;
  /**
   * A second copy of the same version, made by one run (its run key): full mode, or a recopy of an
   * existing copy that failed verification. A copy a committed run references is never rewritten in
   * place, so a new copy of a version gets a new name.
   */
  generation?: string;
}

const MAX_BLOB_NAME = 1024;

/**
 * `data/<account>/<container>/<blob name>/@<version>[~<generation>]`: versions of one blob sit together
 * under its name, and no blob name can produce another blob's copy name (copy names always end in
 * `/@<version>`, or `~<generation>` after it). Names that would pass the service's 1,024-character limit
 * go under `~hashed/` with a 128-bit hash of the blob name; the catalog keeps the real name beside it.
 */
export function backupObjectName(item: SourceVersion): string {
  const version = `@${normalizeVersion(item.version)}${item.generation ? `~${item.generation}` : ''}`;
  const plain = `data/${item.account}/${item.container}/${item.blobName}/${version}`;
  if (plain.length <= MAX_BLOB_NAME) return plain;
  const hash = fnv1a64(item.blobName) + fnv1a64([...item.blobName].reverse().join(''));
  return `data/${item.account}/${item.container}/~hashed/${hash}/${version}`;
}

export function normalizeVersion(etag: string): string {
  return etag.replace(/^"|"$/g, '');
}
