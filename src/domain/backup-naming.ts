// Where a copy lives in the backup account. The name is a pure function of (source account, container,
// blob, source version), so a rerun finds the copies it already made and never writes one twice.

export const DEFAULT_BACKUP_CONTAINER = 'azbackup';

export interface SourceVersion {
  /** Storage account name of the source (stable, unlike connection names). */
  account: string;
  container: string;
  blobName: string;
  /** The source version: the blob's ETag (without quotes). */
  version: string;
}

/**
 * `data/<account>/<container>/<blob name>/@<version>`: versions of one blob sit together under its
 * name, and no blob name can produce another blob's copy name (copy names always end in `/@<version>`).
 */
export function backupObjectName(item: SourceVersion): string {
  return `data/${item.account}/${item.container}/${item.blobName}/@${normalizeVersion(item.version)}`;
}

export function normalizeVersion(etag: string): string {
  return etag.replace(/^"|"$/g, '');
}
