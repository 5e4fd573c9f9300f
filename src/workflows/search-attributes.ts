// Custom search attributes: what a person filters on in the Temporal UI ("all failed blob backups
// of account X"). The dev server registers them at start; production registers them once (README).
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** `blob-container`, later `cosmos-sql`, `cosmos-mongo`, `restore`, ... */
export const BackupKind = defineSearchAttributeKey('BackupKind', SearchAttributeType.KEYWORD);
/** The source as `<connection>/<container>`. */
export const BackupSource = defineSearchAttributeKey('BackupSource', SearchAttributeType.KEYWORD);
/** Running | Completed | Failed (the workflow's own view, including partial failures). */
export const BackupStatus = defineSearchAttributeKey('BackupStatus', SearchAttributeType.KEYWORD);
export const BackupContainer = defineSearchAttributeKey('BackupContainer', SearchAttributeType.KEYWORD);

export const AZBACKUP_SEARCH_ATTRIBUTES = [BackupKind, BackupSource, BackupStatus, BackupContainer];
