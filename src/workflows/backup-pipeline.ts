// runBackupPipeline, restorePipelineBackup and applyPipelineRetention: any source (a directory, a
// command's output, a blob) through filters (gzip, AES-256-GCM) into a store (blob, file), each a single
// heartbeating activity that streams end to end; the worker resolves plugins, keys and connections.
// Bad input the workflow can see is rejected before the activity; the rest (an unknown plugin, a missing
// key, an unreadable path, a command not found) fails the activity for good before it writes anything.
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { PipelineRestoreResult } from '../pipeline/run-restore';
import type { PipelineRetentionResult } from '../pipeline/retention';
import { runKey } from '../domain/catalog-layout';
import {
  pipelineBackupProblems,
  pipelineRestoreProblems,
  pipelineRetentionProblems,
  type PipelineBackupInput,
  type PipelineManifest,
  type PipelineRestoreInput,
  type PipelineRetentionInput,
} from '../domain/pipeline-manifest';
import { trackRun } from './run-status';
import { activityOptions, rejectInvalidInput } from './workflow-rules';

const activities = (summary: string, maxAttempts = 3) =>
  proxyActivities<Activities>({
    ...activityOptions('24 hours'),
    retry: { ...activityOptions('24 hours').retry, maximumAttempts: maxAttempts },
    summary,
  });

export type { PipelineBackupInput, PipelineManifest, PipelineRestoreInput, PipelineRetentionInput };

export async function runBackupPipeline(input: PipelineBackupInput): Promise<PipelineManifest> {
  rejectInvalidInput('runBackupPipeline', pipelineBackupProblems(input));
  const key = runKey(Date.now(), workflowInfo().firstExecutionRunId);
  return trackRun({ kind: 'pipeline-backup', source: `pipeline/${input.name}` }, () =>
    activities(`stream ${input.source.kind} into ${input.sink.kind}`, input.maxAttempts).runPipeline({
      ...input,
      runKey: key,
    }),
  );
}

export async function restorePipelineBackup(input: PipelineRestoreInput): Promise<PipelineRestoreResult> {
  rejectInvalidInput('restorePipelineBackup', pipelineRestoreProblems(input));
  return trackRun({ kind: 'pipeline-restore', source: `pipeline/${input.name}` }, () =>
    activities(`restore into ${input.target.kind}`, input.maxAttempts).restorePipeline(input),
  );
}

export async function applyPipelineRetention(input: PipelineRetentionInput): Promise<PipelineRetentionResult> {
  rejectInvalidInput('applyPipelineRetention', pipelineRetentionProblems(input));
  return trackRun({ kind: 'pipeline-retention', source: `pipeline/${input.name}` }, () =>
    activities('forget pipeline runs').forgetPipelineRuns(input),
  );
}
