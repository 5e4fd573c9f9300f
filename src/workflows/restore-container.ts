// restoreContainer: restore a backed-up container, prefix or list of blobs as of a run or a time, into
// the original container or another one. Plans once, then restores catalog pages in a sliding window
// of child workflows, continuing as new in long loops; reports restored/skipped/failed.
import {
  continueAsNew,
  defineQuery,
  executeChild,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities, RestorePageInput, RestorePlan } from '../activities';
import type { BackedUpSource } from '../catalog/queries';
import { runKey as makeRunKey } from '../domain/catalog-layout';
import type { OverwritePolicy, RestoreVerifyMode } from '../domain/choices';
import {
  DEFAULT_BACKUP_CONTAINER,
  DEFAULT_CONCURRENCY,
  DEFAULT_LARGE_BLOB_THRESHOLD_BYTES,
  DEFAULT_MAX_CONCURRENT_PAGES,
  DEFAULT_PAGES_PER_RUN,
} from '../domain/defaults';
import { addRestoreCounts, emptyRestoreCounts, type RestoreCounts } from '../domain/restore-counts';
import { restoreInputProblems } from '../domain/restore-input';
import { catalogPageSummary } from '../domain/run-summaries';
import { ChildWindow } from './child-window';
import { restoreContainerPage } from './restore-page';
import { trackRun } from './run-status';
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
  /** Or a run key (from `azbackup runs`). */
  run?: string;
  /** Only names under this prefix... */
  prefix?: string;
  /** ...or only these names (up to 1,000). */
  blobs?: string[];
  /** Where to restore: a connection and container (the original, or another, in any account). */
  target: { connection: string; container: string };
  /** never (default): leave existing blobs alone; ifNewer: replace older ones; always. */
  overwrite?: OverwritePolicy;
  /** Also restore blobs deleted before the chosen run, as their last backed-up version. */
  includeDeleted?: boolean;
  /** Report what would be restored, write nothing. */
  dryRun?: boolean;
  /** md5 (default): size + MD5 of each restored blob against the catalog; deep: read it back too. */
  verify?: RestoreVerifyMode;
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
  startedAtMs: number;
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
  const info = workflowInfo();
  const continuedAsNew = info.continuedFromExecutionRunId !== undefined;
  rejectInvalidInput('restoreContainer', restoreInputProblems(input, { nowMs: Date.now(), continuedAsNew }));
  const backupContainer = input.backupContainer ?? DEFAULT_BACKUP_CONTAINER;
  const startedAtMs = input.carry?.startedAtMs ?? Date.now();
  const restoreKey = input.carry?.restoreKey ?? makeRunKey(startedAtMs, info.firstExecutionRunId);
  const dryRun = input.dryRun ?? false;
  const state = {
    counts: input.carry?.counts ?? emptyRestoreCounts(),
    plan: input.carry?.plan,
    phase: (input.carry?.plan ? 'restoring' : 'planning') as RestoreProgress['phase'],
    pagesDone: input.carry?.pagesStarted ?? 0,
  };
  setHandler(restoreProgressQuery, () => ({
    ...state.counts,
    phase: state.phase,
    runKey: state.plan?.run.runKey,
    pages: state.plan?.pages ?? 0,
    pagesDone: state.pagesDone,
    elapsedMs: Date.now() - startedAtMs,
  }));
  const filter = { prefix: input.prefix, blobs: input.blobs, includeDeleted: input.includeDeleted ?? false };
  const description = {
    kind: 'blob-restore',
    source: `${input.source.account}/${input.source.container}`,
    container: input.target.container,
  };
  return trackRun(
    description,
    async () => {
      const plan = (state.plan ??= await planRestore({
        backup: input.backup,
        backupContainer,
        source: input.source,
        asOf: input.asOf,
        run: input.run,
        filter,
        target: input.target,
        dryRun,
      }));
      state.phase = 'restoring';
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
        dryRun,
        concurrency: input.concurrency ?? DEFAULT_CONCURRENCY,
        maxRequestsPerSecond: input.maxRequestsPerSecond,
        largeBlobThresholdBytes: input.largeBlobThresholdBytes ?? DEFAULT_LARGE_BLOB_THRESHOLD_BYTES,
      };
      const pageIndices = plan.pageRanges.flatMap(([a, b]) => Array.from({ length: b - a + 1 }, (_, i) => a + i));
      const window = new ChildWindow(input.maxConcurrentPages ?? DEFAULT_MAX_CONCURRENT_PAGES);
      let next = input.carry?.pagesStarted ?? 0;
      let startedThisRun = 0;
      while (next < pageIndices.length) {
        await window.room();
        const pageIndex = pageIndices[next++]!;
        window.add(
          `${pageIndex}`,
          executeChild(restoreContainerPage, {
            workflowId: `${info.workflowId}/${restoreKey}/page-${pageIndex}`,
            args: [{ ...template, pageIndex }],
            staticSummary: catalogPageSummary(pageIndex, template.runKey),
          }),
          (pageCounts) => {
            state.counts = addRestoreCounts(state.counts, pageCounts);
            state.pagesDone++;
          },
        );
        if (
          next < pageIndices.length &&
          (++startedThisRun >= (input.maxPagesPerRun ?? DEFAULT_PAGES_PER_RUN) || workflowInfo().continueAsNewSuggested)
        ) {
          await window.drain();
          await continueAsNew<typeof restoreContainer>({
            ...input,
            carry: { restoreKey, startedAtMs, plan, pagesStarted: next, counts: state.counts },
          });
        }
      }
      await window.drain();
      state.phase = 'finishing';
      const written = await finishRestore({
        backup: input.backup,
        backupContainer,
        source: input.source,
        restoreKey,
        summary: { workflowId: info.workflowId, run: plan.run.runKey, target: input.target, dryRun, ...state.counts },
      });
      state.phase = 'done';
      return {
        ...state.counts,
        runKey: plan.run.runKey,
        runStartedAt: plan.run.startedAt,
        pages: plan.pages,
        dryRun,
        report: written.report,
        summary: written.summary,
        elapsedMs: Date.now() - startedAtMs,
      };
    },
    (result) => (result.failed ? 'CompletedWithFailures' : 'Completed'),
  );
}
