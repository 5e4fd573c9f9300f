// Counters of a restore, summed page by page (pure, shared by activities and workflows).

export interface RestoreCounts {
  /** Catalog items the filter selected. */
  matched: number;
  restored: number;
  /** Left alone: the target holds this version, the overwrite policy kept it, or its deletion expired. */
  skipped: number;
  failed: number;
  bytesRestored: number;
}

export function emptyRestoreCounts(): RestoreCounts {
  return { matched: 0, restored: 0, skipped: 0, failed: 0, bytesRestored: 0 };
}

export function addRestoreCounts(a: RestoreCounts, b: Partial<RestoreCounts>): RestoreCounts {
  const sum = { ...a };
  for (const key of Object.keys(sum) as (keyof RestoreCounts)[]) sum[key] += b[key] ?? 0;
  return sum;
}
