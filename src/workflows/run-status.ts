// The search-attribute lifecycle every azbackup workflow shares: what it is (kind, source, container)
// and where it stands (Running, then Completed, CompletedWithFailures, Failed or Cancelled), so the
// Temporal UI can list "all failed backups of account X". Continue-as-new is not an end: the run goes
// on, so its status stays Running.
import { ContinueAsNew, isCancellation, upsertSearchAttributes } from '@temporalio/workflow';
import { BackupContainer, BackupKind, BackupSource, BackupStatus } from './search-attributes';

export type RunOutcome = 'Completed' | 'CompletedWithFailures' | 'Failed';

export interface RunDescription {
  /** `blob-container`, `blob-restore`, ... */
  kind: string;
  /** `<storage account>/<container>`: the same for every workflow kind. */
  source?: string;
  /** The container the workflow works on (the source's, or a restore's target). */
  container?: string;
}

/** Upserts what is known of the run; call again when more is known (a source's account after preflight). */
export function describeRun(description: Partial<RunDescription>): void {
  upsertSearchAttributes(attributesOf(description));
}

function attributesOf(description: Partial<RunDescription>) {
  return [
    ...(description.kind ? [{ key: BackupKind, value: description.kind }] : []),
    ...(description.source ? [{ key: BackupSource, value: description.source }] : []),
    ...(description.container ? [{ key: BackupContainer, value: description.container }] : []),
  ];
}

/**
 * Runs `body` as the workflow's run: Running while it goes, then the outcome `outcomeOf` picks for its
 * result, or Failed / Cancelled when it throws (not on continue-as-new).
 */
export async function trackRun<T>(
  description: RunDescription,
  body: () => Promise<T>,
  outcomeOf: (result: T) => RunOutcome = () => 'Completed',
): Promise<T> {
  upsertSearchAttributes([...attributesOf(description), { key: BackupStatus, value: 'Running' }]);
  try {
    const result = await body();
    upsertSearchAttributes([{ key: BackupStatus, value: outcomeOf(result) }]);
    return result;
  } catch (err) {
    if (!(err instanceof ContinueAsNew)) {
      upsertSearchAttributes([{ key: BackupStatus, value: isCancellation(err) ? 'Cancelled' : 'Failed' }]);
    }
    throw err;
  }
}
