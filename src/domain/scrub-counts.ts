// Counters of a scrub (every copy of a run read back and hashed), summed page by page.

export interface ScrubCounts {
  /** Live items whose copy was read and hashed. */
  checked: number;
  bytesRead: number;
  /** Copies whose bytes do not hash to the catalog's MD5 (or whose size differs). */
  mismatched: number;
  /** Copies the catalog names that are not there. */
  missing: number;
}

export function emptyScrubCounts(): ScrubCounts {
  return { checked: 0, bytesRead: 0, mismatched: 0, missing: 0 };
}

export function addScrubCounts(a: ScrubCounts, b: ScrubCounts): ScrubCounts {
  return {
    checked: a.checked + b.checked,
    bytesRead: a.bytesRead + b.bytesRead,
    mismatched: a.mismatched + b.mismatched,
    missing: a.missing + b.missing,
  };
}
