// Backup pipeline activities: a run, a restore and a retention pass, each one activity streaming the
// whole object (src/pipeline: run-backup.ts, run-restore.ts, retention.ts) and heartbeating its
// progress (stage, bytes in and out, MiB/s), which the Temporal UI and `describe` show.
import type {
  PipelineBackupInput,
  PipelineManifest,
  PipelineRestoreInput,
  PipelineRetentionInput,
} from '../domain/pipeline-manifest';
import type { KeyResolver } from '../pipeline/key-ring';
import type { PluginContext } from '../pipeline/plugins';
import { ProgressTracker } from '../pipeline/progress';
import { runPipelineRetention, type PipelineRetentionResult } from '../pipeline/retention';
import { runPipelineBackup } from '../pipeline/run-backup';
import { runPipelineRestore, type PipelineRestoreResult } from '../pipeline/run-restore';
import type { ConnectionRegistry } from '../storage/connections';
import { defineActivity, type ActivityTools } from './toolkit';

export interface PipelineActivityDependencies {
  connections: ConnectionRegistry;
  keys: KeyResolver;
}

export type RunPipelineInput = PipelineBackupInput & { runKey: string };

export function createPipelineActivities({ connections, keys }: PipelineActivityDependencies) {
  const context = (tools: ActivityTools): PluginContext => ({
    signal: tools.signal,
    keys,
    blob: (name, field) => tools.blob(name, field),
  });
  const tracker = (tools: ActivityTools) => new ProgressTracker((p) => tools.heartbeat(p));
  return {
    runPipeline: defineActivity(connections, async (input: RunPipelineInput, tools): Promise<PipelineManifest> => {
      const { runKey, ...spec } = input;
      const run = {
        runKey,
        workflowId: tools.info.workflowExecution?.workflowId ?? 'unknown',
        attempt: tools.info.attempt,
      };
      return runPipelineBackup(spec, run, context(tools), tracker(tools));
    }),
    restorePipeline: defineActivity(
      connections,
      async (input: PipelineRestoreInput, tools): Promise<PipelineRestoreResult> =>
        runPipelineRestore(input, context(tools), tracker(tools)),
    ),
    forgetPipelineRuns: defineActivity(
      connections,
      async (input: PipelineRetentionInput, tools): Promise<PipelineRetentionResult> =>
        runPipelineRetention(input, context(tools), () => tools.heartbeat()),
    ),
  };
}
