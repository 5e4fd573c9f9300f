// Asking for a backup: a signal-with-start of the container's backupTrigger workflow (started if none
// runs, signalled if one does). Shared by `azbackup notify` and the queue consumer, so both send the
// same request to the same workflow id.
import type { Client } from '@temporalio/client';
import {
  backupRequestProblems,
  triggerTargetProblems,
  triggerWorkflowId,
  type BackupRequest,
} from '../domain/backup-request';
import { formatProblems } from '../domain/input-problems';
import { backupRequestedSignal, backupTrigger, type BackupTriggerInput } from '../workflows/backup-trigger';

export interface RequestBackupOptions {
  taskQueue: string;
  trigger: Omit<BackupTriggerInput, 'carry'>;
  request: BackupRequest;
}

export class InvalidBackupRequestError extends Error {}

/** Sends the request; resolves once Temporal has accepted the signal (with the trigger's run id). */
export async function requestBackup(
  client: Client,
  options: RequestBackupOptions,
): Promise<{ workflowId: string; runId: string }> {
  const problems = [...triggerTargetProblems(options.trigger), ...backupRequestProblems(options.request)];
  if (problems.length) throw new InvalidBackupRequestError(`nothing sent: ${formatProblems(problems)}`);
  const workflowId = triggerWorkflowId(options.trigger.source, options.trigger.container);
  const handle = await client.workflow.signalWithStart(backupTrigger, {
    workflowId,
    taskQueue: options.taskQueue,
    args: [options.trigger],
    signal: backupRequestedSignal,
    signalArgs: [options.request],
    staticSummary: `Backup trigger of ${options.trigger.source}/${options.trigger.container}`,
  });
  return { workflowId, runId: handle.signaledRunId };
}
