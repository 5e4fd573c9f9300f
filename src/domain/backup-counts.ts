// Counters of a backup run, summed page by page (pure, shared by activities and workflows).

export interface BackupCounts {
  listed: number;
  copied: number;
  /** An identical copy already existed (an earlier run or attempt made it). */
  skipped: number;
  /** Deleted or modified between listing and copy: the next run picks up the new state. */
  changed: number;
  failed: number;
  bytesCopied: number;
}

export function emptyCounts(): BackupCounts {
  return { listed: 0, copied: 0, skipped: 0, changed: 0, failed: 0, bytesCopied: 0 };
}

export function addCounts(a: BackupCounts, b: BackupCounts): BackupCounts {
  return {
    listed: a.listed + b.listed,
    copied: a.copied + b.copied,
    skipped: a.skipped + b.skipped,
    changed: a.changed + b.changed,
    failed: a.failed + b.failed,
    bytesCopied: a.bytesCopied + b.bytesCopied,
  };
}
