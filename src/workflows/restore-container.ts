// restoreContainer: restore a backed-up container, prefix or list of blobs as of a run or a time, into
// the original container or another one. Plans once, then restores catalog pages in a sliding window
// of child workflows, continuing as new in long loops; reports restored/skipped/failed.
import {
  ContinueAsNew,
  continueAsNew,
  defineQuery,
  executeChild,
  isCancellation,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities, RestoreCounts, RestorePageInput, RestorePlan } from '../activities';
import type { BackedUpSource } from '../activities/catalog-queries';
import { DEFAULT_BACKUP_CONTAINER } from '../domain/backup-naming';
import { runKey as makeRunKey } from '../domain/catalog-layout';
import { restoreInputProblems } from '../domain/restore-input';
import { restoreContainerPage } from './restore-page';
import { BackupContainer, BackupKind, BackupSource, BackupStatus } from './search-attributes';
import { activityOptions, rejectInvalidInput } from './workflow-rules';

export interface RestoreContainerInput {
  /** Connection name of the backup account. */
  backup: string;
  /** Container of copies and catalog in the backup account (default `azbackup`). */
  backupContainer?: string;
  /** What was backed up, as the catalog names it. */
  source: BackedUpSource;
  /** ISO time: restore the state of the newest run started at or before it. Default: latest verified run. */
  asOf?: string;
  /** Or a run key (from listBackupRuns). */
  run?: string;
  /** Only names under this prefix... */
  prefix?: string;
  /** ...or only these names (up to 1,000). */
  blobs?: string[];
  /** Where to restore: a connection and container (the original, or another, in any account). */
  target: { connection: string; container: string };
  /** never (default): leave existing blobs alone; ifNewer: replace older ones; always. */
  overwrite?: 'never' | 'ifNewer' | 'always';
  /** Also restore blobs deleted before the chosen run, as their last backed-up version. */
  includeDeleted?: boolean;
  /** Report what would be restored, write nothing. */
  dryRun?: boolean;
  /** md5 (default): size + MD5 of each restored blob against the catalog; deep: read it back too. */
  verify?: 'md5' | 'deep';
  concurrency?: number;
  maxConcurrentPages?: number;
  maxRequestsPerSecond?: number;
  largeBlobThresholdBytes?: number;
  /** Tuning: pages before continuing as new (default 200). */
  maxPagesPerRun?: number;
  carry?: RestoreCarry;
}

export interface RestoreCarry {
  restoreKey: string;
  startedAt: number;
  plan: RestorePlan;
  /** Pages handed to children so far (position in the plan's page list). */
  pagesStarted: number;
  counts: RestoreCounts;
}

export interface RestoreContainerResult extends RestoreCounts {
  runKey: string;
  runStartedAt: string;
  pages: number;
  dryRun: boolean;
  report: string;
  summary: string;
  elapsedMs: number;
}

export interface RestoreProgress extends RestoreCounts {
  phase: 'planning' | 'restoring' | 'finishing' | 'done';
  runKey?: string;
  pages: number;
  pagesDone: number;
  elapsedMs: number;
}

export const restoreProgressQuery = defineQuery<RestoreProgress>('progress');

const { planRestore, finishRestore } = proxyActivities<Activities>(activityOptions('1 hour'));

export async function restoreContainer(input: RestoreContainerInput): Promise<RestoreContainerResult> {
  const problems = restoreInputProblems(input);
  rejectInvalidInput('restoreContainer', problems);
  const info = workflowInfo();
  const backupContainer = input.backupContainer ?? DEFAULT_BACKUP_CONTAINER;
  const startedAt = input.carry?.startedAt ?? Date.now();
  const restoreKey = input.carry?.restoreKey ?? makeRunKey(startedAt, info.firstExecutionRunId);
  let counts = input.carry?.counts ?? { matched: 0, restored: 0, skipped: 0, failed: 0, bytesRestored: 0 };
  let plan = input.carry?.plan;
  let phase: RestoreProgress['phase'] = plan ? 'restoring' : 'planning';
  let pagesDone = input.carry?.pagesStarted ?? 0;
  setHandler(restoreProgressQuery, () => ({
    phase,
    ...counts,
    runKey: plan?.run.runKey,
    pages: plan?.pages ?? 0,
    pagesDone,
    elapsedMs: Date.now() - startedAt,
  }));
  upsertSearchAttributes([
    { key: BackupKind, value: 'blob-restore' },
    { key: BackupSource, value: `${input.source.account}/${input.source.container}` },
    { key: BackupContainer, value: input.target.container },
    { key: BackupStatus, value: 'Running' },
  ]);
  const filter = { prefix: input.prefix, blobs: input.blobs, includeDeleted: input.includeDeleted ?? false };
  try {
    plan ??= await planRestore({
      backup: input.backup,
      backupContainer,
      source: input.source,
      asOf: input.asOf,
      run: input.run,
      filter,
      target: input.target,
      dryRun: input.dryRun ?? false,
    });
    phase = 'restoring';
    const template: Omit<RestorePageInput, 'pageIndex'> = {
      backup: input.backup,
      backupContainer,
      source: input.source,
      runKey: plan.run.runKey,
      restoreKey,
      deletionsExpireBefore: plan.deletionsExpireBefore,
      filter,
      target: input.target,
      overwrite: input.overwrite ?? 'never',
      verify: input.verify ?? 'md5',
      dryRun: input.dryRun ?? false,
      concurrency: input.concurrency ?? 16,
      maxRequestsPerSecond: input.maxRequestsPerSecond,
      largeBlobThresholdBytes: input.largeBlobThresholdBytes ?? 256 * 1024 * 1024,
    };
    const pageIndices = plan.pageRanges.flatMap(([a, b]) => Array.from({ length: b - a + 1 }, (_, i) => a + i));
    const window = new Map<number, Promise<void>>();
    let next = input.carry?.pagesStarted ?? 0;
    let startedThisRun = 0;
    while (next < pageIndices.length) {
      while (window.size >= (input.maxConcurrentPages ?? 4)) await Promise.race(window.values());
      const pageIndex = pageIndices[next++]!;
      window.set(
        pageIndex,
        executeChild(restoreContainerPage, {
          workflowId: `${info.workflowId}/${restoreKey}/page-${pageIndex}`,
          args: [{ ...template, pageIndex }],
        }).then((c) => {
          counts = addRestoreCounts(counts, c);
          pagesDone++;
          window.delete(pageIndex);
        }),
      );
      if (
        next < pageIndices.length &&
        (++startedThisRun >= (input.maxPagesPerRun ?? 200) || workflowInfo().continueAsNewSuggested)
      ) {
        await Promise.all(window.values());
        await continueAsNew<typeof restoreContainer>({
          ...input,
          carry: { restoreKey, startedAt, plan, pagesStarted: next, counts },
        });
      }
    }
    await Promise.all(window.values());
    phase = 'finishing';
    const written = await finishRestore({
      backup: input.backup,
      backupContainer,
      source: input.source,
      restoreKey,
      summary: {
        workflowId: info.workflowId,
        run: plan.run.runKey,
        target: input.target,
        dryRun: !!input.dryRun,
        ...counts,
      },
    });
    phase = 'done';
    upsertSearchAttributes([{ key: BackupStatus, value: counts.failed ? 'CompletedWithFailures' : 'Completed' }]);
    return {
      ...counts,
      runKey: plan.run.runKey,
      runStartedAt: plan.run.startedAt,
      pages: plan.pages,
      dryRun: input.dryRun ?? false,
      report: written.report,
      summary: written.summary,
      elapsedMs: Date.now() - startedAt,
    };
  } catch (err) {
    if (!(err instanceof ContinueAsNew)) {
      upsertSearchAttributes([{ key: BackupStatus, value: isCancellation(err) ? 'Cancelled' : 'Failed' }]);
    }
    throw err;
  }
}

function addRestoreCounts(a: RestoreCounts, b: RestoreCounts): RestoreCounts {
  return {
    matched: a.matched + b.matched,
    restored: a.restored + b.restored,
    skipped: a.skipped + b.skipped,
    failed: a.failed + b.failed,
    bytesRestored: a.bytesRestored + b.bytesRestored,
  };
}
