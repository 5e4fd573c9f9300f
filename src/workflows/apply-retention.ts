// applyRetention: forget runs a policy does not keep, then collect the backup objects no remaining run
// references, in two phases with a durable timer between them (the grace period), and optionally prune
// azbackup's snapshots on the source. Made for a schedule; `dryRun` reports what would go.
import { proxyActivities, sleep, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { SourceSnapshotPolicy } from '../activities/source-snapshots';
import type { BackedUpSource } from '../catalog/queries';
import { catalogPaths, catalogScope, runKey } from '../domain/catalog-layout';
import { DEFAULT_ABANDONED_AFTER_MS, DEFAULT_BACKUP_CONTAINER, DEFAULT_GRACE_PERIOD_MS } from '../domain/defaults';
import { retentionInputProblems } from '../domain/retention-input';
import type { RetentionPolicy } from '../domain/retention-policy';
import { trackRun } from './run-status';
import { activityOptions, rejectInvalidInput } from './workflow-rules';

export interface ApplyRetentionInput {
  backup: string;
  backupContainer?: string;
  source: BackedUpSource;
  policy: RetentionPolicy;
  /** Also prune the snapshots backups took on the source, through this connection. */
  sourceSnapshots?: SourceSnapshotPolicy & { source: string };
  /** Between mark and sweep (default 1 hour): longer than any backup takes to journal a copy. */
  gracePeriodMs?: number;
  /** A run with no manifest and no write for this long is abandoned (default 24 hours). */
  abandonedAfterMs?: number;
  dryRun?: boolean;
  /** Tuning: copy names garbage collection holds in memory at once (default 5,000,000). */
  maxReferencesInMemory?: number;
}

export interface ApplyRetentionResult {
  plan: string;
  runsKept: number;
  runsRemoved: number;
  removedRuns: string[];
  /** Objects unreferenced at the mark. */
  marked: number;
  deleted: number;
  bytesDeleted: number;
  /** Files of forgotten runs' catalogs deleted. */
  catalogFilesDeleted: number;
  /** Marked, but referenced or rewritten by the sweep: kept. */
  keptAtSweep: number;
  deletedSourceSnapshots: number;
  report: string;
  dryRun: boolean;
}

const { forgetRuns, markGarbage, sweepGarbage, pruneSourceSnapshots } = proxyActivities<Activities>(
  activityOptions('4 hours'),
);

export async function applyRetention(input: ApplyRetentionInput): Promise<ApplyRetentionResult> {
  rejectInvalidInput('applyRetention', retentionInputProblems(input));
  const key = runKey(Date.now(), workflowInfo().firstExecutionRunId);
  const backupContainer = input.backupContainer ?? DEFAULT_BACKUP_CONTAINER;
  const dryRun = input.dryRun ?? false;
  const scope = catalogScope(input.source.account, input.source.container, input.source.prefix);
  const source = `${input.source.account}/${input.source.container}`;
  return trackRun({ kind: 'blob-retention', source }, async () => {
    // First, while every run's catalog still says which source snapshots azbackup took.
    let deletedSourceSnapshots = 0;
    if (input.sourceSnapshots) {
      const { source: sourceConnection, ...policy } = input.sourceSnapshots;
      deletedSourceSnapshots = (
        await pruneSourceSnapshots({
          sourceConnection,
          backup: input.backup,
          backupContainer,
          source: input.source,
          policy,
          report: catalogPaths.sourceSnapshotsReport(scope, key),
          retentionKey: key,
          maxReferencesInMemory: input.maxReferencesInMemory,
          dryRun,
        })
      ).deleted;
    }
    const forgotten = await forgetRuns({
      backup: input.backup,
      backupContainer,
      source: input.source,
      policy: input.policy,
      retentionKey: key,
      dryRun,
    });
    const gc = {
      backup: input.backup,
      backupContainer,
      source: { account: input.source.account, container: input.source.container },
      gcKey: key,
      abandonedAfterMs: input.abandonedAfterMs ?? DEFAULT_ABANDONED_AFTER_MS,
      maxReferencesInMemory: input.maxReferencesInMemory,
    };
    const mark = await markGarbage({ ...gc, dryRunPlan: dryRun ? forgotten.plan : undefined });
    // Anything a backup still running writes or journals during this wait is protected at the sweep.
    if (!dryRun) await sleep(input.gracePeriodMs ?? DEFAULT_GRACE_PERIOD_MS);
    const sweep = dryRun
      ? {
          deleted: mark.count,
          bytesDeleted: mark.bytes,
          catalogFilesDeleted: mark.catalogFiles,
          kept: 0,
          report: mark.candidates,
        }
      : await sweepGarbage({ ...gc, markedAt: mark.markedAt, dryRun });
    return {
      plan: forgotten.plan,
      runsKept: forgotten.kept,
      runsRemoved: forgotten.removed,
      removedRuns: forgotten.removedRuns,
      marked: mark.count,
      deleted: sweep.deleted,
      bytesDeleted: sweep.bytesDeleted,
      catalogFilesDeleted: sweep.catalogFilesDeleted,
      keptAtSweep: sweep.kept,
      deletedSourceSnapshots,
      report: sweep.report,
      dryRun,
    };
  });
}
