// The value lists inputs choose from, defined once: validators, the CLI and the types all read these.

/** md5: size + MD5 of every copy; deep: also read each copy back; none: trust the service. */
export const VERIFY_MODES = ['md5', 'deep', 'none'] as const;
export type VerifyMode = (typeof VERIFY_MODES)[number];

/** A restore always verifies what it writes. */
export const RESTORE_VERIFY_MODES = ['md5', 'deep'] as const satisfies readonly VerifyMode[];
export type RestoreVerifyMode = (typeof RESTORE_VERIFY_MODES)[number];

/** incremental: copy new and modified blobs; full: copy every blob again. */
export const BACKUP_MODES = ['incremental', 'full'] as const;
export type BackupMode = (typeof BACKUP_MODES)[number];

/** Who moves a blob backup's bytes: the worker's copy engine, or a Data Factory run per page. */
export const MOVERS = ['worker', 'adf'] as const;
export type Mover = (typeof MOVERS)[number];

/** What a restore does with a blob that exists at the target. */
export const OVERWRITE_POLICIES = ['never', 'ifNewer', 'always'] as const;
export type OverwritePolicy = (typeof OVERWRITE_POLICIES)[number];
