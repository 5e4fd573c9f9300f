// scrubBackup: reads back every copy a run holds (default: the latest verified run) and hashes it
// against the catalog, page by page in a sliding window of child workflows. Made for a schedule: a
// flipped byte or a missing copy anywhere fails the scrub, naming the items, with a full report.
import {
  ApplicationFailure,
  continueAsNew,
  defineQuery,
  executeChild,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities, ScrubPageInput, ScrubPlan } from '../activities';
import type { BackedUpSource } from '../catalog/queries';
import { runKey as makeRunKey } from '../domain/catalog-layout';
import {
  DEFAULT_BACKUP_CONTAINER,
  DEFAULT_CONCURRENCY,
  DEFAULT_MAX_CONCURRENT_PAGES,
  DEFAULT_PAGES_PER_RUN,
} from '../domain/defaults';
import { catalogPageSummary } from '../domain/run-summaries';
import { scrubInputProblems } from '../domain/scrub-input';
import { addScrubCounts, emptyScrubCounts, type ScrubCounts } from '../domain/scrub-counts';
import { ChildWindow } from './child-window';
import { trackRun } from './run-status';
import { activityOptions, rejectInvalidInput } from './workflow-rules';

export interface ScrubBackupInput {
  /** Connection name of the backup account. */
  backup: string;
  backupContainer?: string;
  /** What was backed up, as the catalog names it. */
  source: BackedUpSource;
  /** A run key, or an ISO time (the newest run at or before it); default: the latest verified run. */
  run?: string;
  asOf?: string;
  /** Copies read at once per page (default 16). */
  concurrency?: number;
  maxConcurrentPages?: number;
  maxRequestsPerSecond?: number;
  /** Tuning: pages before continuing as new (default 200). */
  maxPagesPerRun?: number;
  /** Progress carried across continue-as-new; set by the workflow itself. */
  carry?: { scrubKey: string; startedAtMs: number; plan: ScrubPlan; pagesStarted: number; counts: ScrubCounts };
}

export interface ScrubBackupResult extends ScrubCounts {
  runKey: string;
  pages: number;
  report: string;
  elapsedMs: number;
}

export interface ScrubProgress extends ScrubCounts {
  runKey?: string;
  pages: number;
  pagesDone: number;
  elapsedMs: number;
}

export const scrubProgressQuery = defineQuery<ScrubProgress>('progress');

const { planScrub, finishScrub } = proxyActivities<Activities>(activityOptions('1 hour'));
const { scrubPage } = proxyActivities<Activities>(activityOptions('4 hours'));

export async function scrubBackup(input: ScrubBackupInput): Promise<ScrubBackupResult> {
  const info = workflowInfo();
  const continuedAsNew = info.continuedFromExecutionRunId !== undefined;
  rejectInvalidInput('scrubBackup', scrubInputProblems(input, { continuedAsNew }));
  const startedAtMs = input.carry?.startedAtMs ?? Date.now();
  const scrubKey = input.carry?.scrubKey ?? makeRunKey(startedAtMs, info.firstExecutionRunId);
  const location = {
    backup: input.backup,
    backupContainer: input.backupContainer ?? DEFAULT_BACKUP_CONTAINER,
    source: input.source,
  };
  const state = {
    counts: input.carry?.counts ?? emptyScrubCounts(),
    plan: input.carry?.plan,
    pagesDone: input.carry?.pagesStarted ?? 0,
  };
  setHandler(scrubProgressQuery, () => ({
    ...state.counts,
    runKey: state.plan?.run.runKey,
    pages: state.plan?.pages.length ?? 0,
    pagesDone: state.pagesDone,
    elapsedMs: Date.now() - startedAtMs,
  }));
  const source = `${input.source.account}/${input.source.container}`;
  return trackRun({ kind: 'blob-scrub', source }, async () => {
    const plan = (state.plan ??= await planScrub({ ...location, run: input.run, asOf: input.asOf }));
    const template: Omit<ScrubPageInput, 'pageIndex'> = {
      ...location,
      runKey: plan.run.runKey,
      scrubKey,
      concurrency: input.concurrency ?? DEFAULT_CONCURRENCY,
      maxRequestsPerSecond: input.maxRequestsPerSecond,
    };
    const window = new ChildWindow(input.maxConcurrentPages ?? DEFAULT_MAX_CONCURRENT_PAGES);
    let next = input.carry?.pagesStarted ?? 0;
    let startedThisRun = 0;
    while (next < plan.pages.length) {
      await window.room();
      const pageIndex = plan.pages[next++]!;
      window.add(
        `${pageIndex}`,
        executeChild(scrubBackupPage, {
          workflowId: `${info.workflowId}/${scrubKey}/page-${pageIndex}`,
          args: [{ ...template, pageIndex }],
          staticSummary: catalogPageSummary(pageIndex, template.runKey),
        }),
        (pageCounts) => {
          state.counts = addScrubCounts(state.counts, pageCounts);
          state.pagesDone++;
        },
      );
      if (
        next < plan.pages.length &&
        (++startedThisRun >= (input.maxPagesPerRun ?? DEFAULT_PAGES_PER_RUN) || workflowInfo().continueAsNewSuggested)
      ) {
        await window.drain();
        await continueAsNew<typeof scrubBackup>({
          ...input,
          carry: { scrubKey, startedAtMs, plan, pagesStarted: next, counts: state.counts },
        });
      }
    }
    await window.drain();
    const finished = await finishScrub({ ...location, scrubKey });
    const result: ScrubBackupResult = {
      ...state.counts,
      runKey: plan.run.runKey,
      pages: plan.pages.length,
      report: finished.report,
      elapsedMs: Date.now() - startedAtMs,
    };
    const bad = state.counts.mismatched + state.counts.missing;
    if (bad) {
      throw ApplicationFailure.nonRetryable(
        `Scrub of run ${plan.run.runKey} of ${source} found ${bad} bad cop${bad === 1 ? 'y' : 'ies'} ` +
          `(${state.counts.mismatched} mismatched, ${state.counts.missing} missing) in ${state.counts.checked}: ` +
          finished.problems
            .slice(0, 5)
            .map((p) => `${p.name} (${p.copy}): ${p.reason}`)
            .join('; ') +
          `; full report ${finished.report} in ${location.backupContainer}`,
        'ScrubMismatch',
        { ...result, problems: finished.problems },
      );
    }
    return result;
  });
}

/** The child workflow for one catalog page of a scrub. */
export async function scrubBackupPage(input: ScrubPageInput): Promise<ScrubCounts> {
  return scrubPage.executeWithOptions({ summary: catalogPageSummary(input.pageIndex, input.runKey) }, [input]);
}
