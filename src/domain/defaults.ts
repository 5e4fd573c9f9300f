// The defaults inputs fall back to, named once. Workflows, validators, the CLI and the docs read them
// here, so a default never differs between the place that applies it and the place that describes it.

/** The container in the backup account holding copies and catalog. */
export const DEFAULT_BACKUP_CONTAINER = 'azbackup';
/** Copies (or restores) in flight per page. */
export const DEFAULT_CONCURRENCY = 16;
/** Pages worked on at once: the sliding window of child workflows. */
export const DEFAULT_MAX_CONCURRENT_PAGES = 4;
/** Pages a workflow run handles before it continues as new (history stays far below its limits). */
export const DEFAULT_PAGES_PER_RUN = 200;
/** Blobs per listing page, child workflow and activity; also the service's largest listing page. */
export const MAX_PAGE_SIZE = 5000;
/** Above this a blob takes the ranged copy path; Copy Blob From URL accepts sources up to 256 MiB. */
export const DEFAULT_LARGE_BLOB_THRESHOLD_BYTES = 256 * 1024 * 1024;
/** With an `adf` connection: a page whose changed bytes reach this is moved by Data Factory. */
export const DEFAULT_ADF_THRESHOLD_BYTES = 1024 * 1024 * 1024;
/** Retention: the wait between garbage collection's mark and sweep. */
export const DEFAULT_GRACE_PERIOD_MS = 3600_000;
/** Retention: a run with no manifest and no write for this long is abandoned. */
export const DEFAULT_ABANDONED_AFTER_MS = 24 * 3600_000;
/**
 * The shortest grace period allowed. Running pages declare their copies before writing them, and the
 * sweep deletes only what is unmodified since the mark (by the service's clock), so the grace period is
 * no longer what keeps a live run's copies; it still covers a journal append in flight at the mark.
 */
export const MIN_GRACE_PERIOD_MS = 5_000;
/** The shortest abandonedAfterMs allowed: a live run may write nothing while one large blob copies. */
export const MIN_ABANDONED_AFTER_MS = 3600_000;
/** Garbage collection: copy names held in memory at once before it works in hash partitions (~500 MB). */
export const DEFAULT_MAX_REFERENCES_IN_MEMORY = 5_000_000;
/** Restore drills: items restored and compared when no sample size is given. */
export const DEFAULT_DRILL_SAMPLE = 20;
/** Restore by name list, and drill samples: at most this many names travel in an input. */
export const MAX_RESTORE_BLOBS = 1000;
