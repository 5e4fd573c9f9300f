// reconcileContainer: made for a schedule, it catches what event-triggered runs missed. An incremental
// backup that also redoes blobs whose copy is unverified or lacks a snapshot, and checks that the copy
// of every unchanged blob still exists.
import { executeChild, workflowInfo } from '@temporalio/workflow';
import { reconcileInputProblems } from '../domain/backup-input';
import { backupContainer, type BackupContainerInput, type BackupContainerResult } from './backup-container';
import { rejectInvalidInput } from './workflow-rules';

export type ReconcileContainerInput = Omit<BackupContainerInput, 'mode' | 'reconcile' | 'carry'>;

export async function reconcileContainer(input: ReconcileContainerInput): Promise<BackupContainerResult> {
  rejectInvalidInput('reconcileContainer', reconcileInputProblems(input));
  return executeChild(backupContainer, {
    workflowId: `${workflowInfo().workflowId}/reconcile`,
    args: [{ ...input, mode: 'incremental', reconcile: true }],
  });
}
