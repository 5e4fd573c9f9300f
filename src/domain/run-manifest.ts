// The manifest of one committed backup run: written last, so its presence means every page chunk it
// names is complete; `verified` means every copy in this run was verified, none failed and no record
// was left unverified.
import type { BackupCounts } from './backup-counts';

export const MANIFEST_FORMAT = 1;

export interface RunManifest {
  format: typeof MANIFEST_FORMAT;
  runKey: string;
  workflowId: string;
  source: { connection: string; account: string; container: string; prefix?: string };
  backup: { account: string; container: string };
  mode: 'incremental' | 'full';
  verify: 'md5' | 'deep' | 'none';
  snapshot: boolean;
  startedAt: string;
  finishedAt: string;
  counts: BackupCounts;
  verified: boolean;
  pages: number;
  /** The run this one was classified against (absent for the first). */
  previousRunKey?: string;
  /** Skipped and failed items with reasons. */
  report: string;
}

/** One line of "list the runs of a source". */
export interface RunSummary {
  runKey: string;
  startedAt: string;
  finishedAt: string;
  mode: RunManifest['mode'];
  verified: boolean;
  counts: BackupCounts;
  /**
   * Bytes this run copied (its new and modified versions): what it added to the backup, not the size
   * of the data it holds (unchanged blobs are shared with earlier runs and not counted).
   */
  bytesCopied: number;
  /** Size of the live blobs the run holds (what a restore of the whole run would write). */
  bytesHeld: number;
  pages: number;
}

export function summarizeRun(m: RunManifest): RunSummary {
  return {
    runKey: m.runKey,
    startedAt: m.startedAt,
    finishedAt: m.finishedAt,
    mode: m.mode,
    verified: m.verified,
    counts: m.counts,
    bytesCopied: m.counts.bytesCopied,
    // Manifests written before bytesHeld was counted have none.
    bytesHeld: m.counts.bytesHeld ?? 0,
    pages: m.pages,
  };
}
