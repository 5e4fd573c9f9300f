// applyRetention: forget runs a policy does not keep, then collect the backup objects no remaining run
// references, in two phases with a durable timer between them (the grace period), and optionally prune
// azbackup's snapshots on the source. Made for a schedule; `dryRun` reports what would go.
import { isCancellation, proxyActivities, sleep, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { BackedUpSource } from '../activities/catalog-queries';
import type { SourceSnapshotPolicy } from '../activities/source-snapshots';
import { DEFAULT_BACKUP_CONTAINER } from '../domain/backup-naming';
import { catalogPaths, catalogScope, runKey } from '../domain/catalog-layout';
import { retentionInputProblems } from '../domain/retention-input';
import type { RetentionPolicy } from '../domain/retention-policy';
import { BackupKind, BackupSource, BackupStatus } from './search-attributes';
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
  const problems = retentionInputProblems(input);
  rejectInvalidInput('applyRetention', problems);
  const info = workflowInfo();
  const key = runKey(Date.now(), info.firstExecutionRunId);
  const backupContainer = input.backupContainer ?? DEFAULT_BACKUP_CONTAINER;
  const dryRun = input.dryRun ?? false;
  upsertSearchAttributes([
    { key: BackupKind, value: 'blob-retention' },
    { key: BackupSource, value: `${input.source.account}/${input.source.container}` },
    { key: BackupStatus, value: 'Running' },
  ]);
  try {
    // First, while every run's catalog still says which source snapshots azbackup took.
    let deletedSourceSnapshots = 0;
    if (input.sourceSnapshots) {
      const { source: sourceConnection, ...policy } = input.sourceSnapshots;
      const scope = catalogScope(input.source.account, input.source.container, input.source.prefix);
      deletedSourceSnapshots = (
        await pruneSourceSnapshots({
          sourceConnection,
          backup: input.backup,
          backupContainer,
          source: input.source,
          policy,
          report: `${catalogPaths.retentionPrefix(scope, key)}source-snapshots.ndjson.gz`,
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
      abandonedAfterMs: input.abandonedAfterMs ?? 24 * 3600_000,
      maxReferencesInMemory: input.maxReferencesInMemory,
    };
    const mark = await markGarbage({ ...gc, dryRunPlan: dryRun ? forgotten.plan : undefined });
    // Anything a backup still running writes or journals during this wait is protected at the sweep.
    if (!dryRun) await sleep(input.gracePeriodMs ?? 3600_000);
    const sweep = dryRun
      ? {
          deleted: mark.count,
          bytesDeleted: mark.bytes,
          catalogFilesDeleted: mark.catalogFiles,
          kept: 0,
          report: mark.candidates,
        }
      : await sweepGarbage({ ...gc, markedAt: mark.markedAt, dryRun });
    upsertSearchAttributes([{ key: BackupStatus, value: 'Completed' }]);
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
  } catch (err) {
    upsertSearchAttributes([{ key: BackupStatus, value: isCancellation(err) ? 'Cancelled' : 'Failed' }]);
    throw err;
  }
}
