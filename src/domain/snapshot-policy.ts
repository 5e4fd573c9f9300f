// Which of one blob's azbackup snapshots a source snapshot policy lets go: pure, with the clock passed
// in, so age limits can be tested without waiting days (a snapshot cannot be made to look older).

export interface SourceSnapshotPolicy {
  /** Delete azbackup's snapshots older than this many days. */
  maxAgeDays?: number;
  /** Keep only the N newest azbackup snapshots of each blob. */
  keepNewest?: number;
}

export interface SnapshotVerdict {
  /** Newest first. */
  prune: { snapshot: string; reason: 'beyond keepNewest' | 'older than maxAgeDays' }[];
  keep: string[];
}

/** `snapshots` are snapshot ids (ISO times, so they sort as strings) of one blob; `now` in ms. */
export function snapshotsBeyondPolicy(snapshots: string[], policy: SourceSnapshotPolicy, now: number): SnapshotVerdict {
  const verdict: SnapshotVerdict = { prune: [], keep: [] };
  for (const [i, snapshot] of [...snapshots].sort().reverse().entries()) {
    const ageDays = (now - Date.parse(snapshot)) / 86_400_000;
    const tooMany = policy.keepNewest !== undefined && i >= policy.keepNewest;
    const tooOld = policy.maxAgeDays !== undefined && ageDays > policy.maxAgeDays;
    if (tooMany || tooOld)
      verdict.prune.push({ snapshot, reason: tooMany ? 'beyond keepNewest' : 'older than maxAgeDays' });
    else verdict.keep.push(snapshot);
  }
  return verdict;
}
