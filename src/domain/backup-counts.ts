// Counters of a backup run, summed page by page (pure, shared by activities and workflows).

export interface BackupCounts {
  listed: number;
  new: number;
  /** Changed since the last run (or, when reconciling, not verifiably backed up). */
  modified: number;
  unchanged: number;
  /** Gone since the last run: recorded as tombstones. */
  deleted: number;
  snapshotted: number;
  copied: number;
  /** Not copied: an identical copy existed, or the blob was leased by another writer, changed or archived. */
  skipped: number;
  failed: number;
  /**
   * Records a verifying run had to keep unverified (a `verify: none` record whose redo was skipped, e.g.
   * leased or changed meanwhile): the run is then not verified, like a failure.
   */
  unverified: number;
  /** Failed items whose copy did not match the source (their reason starts with `verification failed`). */
  verifyFailed: number;
  bytesCopied: number;
  /** Source sizes of the skipped items, and of the failed ones: what the run did not copy. */
  bytesSkipped: number;
  bytesFailed: number;
  /** Size of the live blobs the run's catalog holds: the logical size of the backup as of this run. */
  bytesHeld: number;
}

export function emptyCounts(): BackupCounts {
  return {
    listed: 0,
    new: 0,
    modified: 0,
    unchanged: 0,
    deleted: 0,
    snapshotted: 0,
    copied: 0,
    skipped: 0,
    failed: 0,
    unverified: 0,
    verifyFailed: 0,
    bytesCopied: 0,
    bytesSkipped: 0,
    bytesFailed: 0,
    bytesHeld: 0,
  };
}

/** Every counter of `emptyCounts`, so counts carried from before a counter existed gain it. */
export function addCounts(a: BackupCounts, b: Partial<BackupCounts>): BackupCounts {
  const sum = emptyCounts();
  for (const key of Object.keys(sum) as (keyof BackupCounts)[]) sum[key] = (a[key] ?? 0) + (b[key] ?? 0);
  return sum;
}

/** How the copy engine starts the reason of an item whose copy failed verification. */
export const VERIFICATION_FAILED = 'verification failed';
