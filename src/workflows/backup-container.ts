// backupContainer: back up one blob container (or one prefix of it) into the backup account. Lists the
// container page by page (each page staged as a blob), runs a child workflow per page in a sliding
// window, continues as new before history grows large, and commits the run's manifest last.
import {
  ApplicationFailure,
  continueAsNew,
  defineQuery,
  executeChild,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities, BackupPageInput, InventoryPage } from '../activities';
import { addCounts, emptyCounts, type BackupCounts } from '../domain/backup-counts';
import { namePageSummary } from '../domain/run-summaries';
import { backupContainerInputProblems } from '../domain/backup-input';
import { catalogScope, runKey as makeRunKey } from '../domain/catalog-layout';
import { FailureType } from '../domain/failures';
import type { BackupMode, Mover, VerifyMode } from '../domain/choices';
import {
  DEFAULT_BACKUP_CONTAINER,
  DEFAULT_CONCURRENCY,
  DEFAULT_LARGE_BLOB_THRESHOLD_BYTES,
  DEFAULT_MAX_CONCURRENT_PAGES,
  DEFAULT_PAGES_PER_RUN,
  MAX_PAGE_SIZE,
} from '../domain/defaults';
import { backupContainerPage } from './backup-page';
import { ChildWindow } from './child-window';
import { describeRun, trackRun } from './run-status';
import { activityOptions, rejectInvalidInput } from './workflow-rules';

export interface BackupContainerInput {
  /** Connection name of the source account (resolved by the worker; never a secret). */
  source: string;
  container: string;
  prefix?: string;
  /** Connection name of the backup account. */
  backup: string;
  /** Container in the backup account for copies and catalog; default `azbackup`. */
  backupContainer?: string;
  /** incremental (default): copy new and modified blobs; full: copy every blob again. */
  mode?: BackupMode;
  /** Snapshot each blob before copying it (default true). */
  snapshot?: boolean;
  /** Hold a lease on each source blob while it is snapshotted and copied (default false). */
  leaseMode?: boolean;
  /** md5 (default): size + MD5 of every copy; deep: also read each copy back; none. */
  verify?: VerifyMode;
  /** Copies in flight per page (default 16). */
  concurrency?: number;
  /** Cap on requests per second to each account, shared by all this worker's activities using it. */
  maxRequestsPerSecond?: number;
  /** Blobs above this take the ranged (Put Block From URL) path; default 256 MiB. */
  largeBlobThresholdBytes?: number;
  /** Blobs per page, child workflow and activity (default 5000). */
  pageSize?: number;
  /** Pages worked on at once: the sliding window of child workflows (default 4). */
  maxConcurrentPages?: number;
  /** Tuning: pages before continuing as new (default 200). */
  maxPagesPerRun?: number;
  /** Tuning: block size of the ranged copy path. */
  blockBytes?: number;
  /**
   * The `adf` connection of a Data Factory with azbackup's pipelines deployed: pages whose changed bytes
   * reach `adfThresholdBytes` (default 1 GiB) are moved by an azbackup-copy-blobs run, then verified and
   * cataloged by the worker like its own copies.
   */
  adf?: string;
  /** worker (default): the worker copies, except pages over the threshold when `adf` is set; adf: every page goes to ADF. */
  mover?: Mover;
  /** With `adf`: the changed bytes from which a page goes to Data Factory. */
  adfThresholdBytes?: number;
  /** Tuning: how often a Data Factory run is polled (default 15 s). */
  adfPollEveryMs?: number;
  /** Set by reconcileContainer: redo unverified copies and check that every copy still exists. */
  reconcile?: boolean;
  /** Progress carried across continue-as-new; set by the workflow itself. */
  carry?: BackupCarry;
}

export interface BackupCarry {
  runKey: string;
  startedAtMs: number;
  scope: string;
  sourceAccount: string;
  backupAccount: string;
  previousRunKey?: string;
  continuationToken: string;
  pageIndex: number;
  /** Last name listed so far: the lower bound of the next page's range. */
  lastName?: string;
  counts: BackupCounts;
}

export interface BackupContainerResult extends BackupCounts {
  runKey: string;
  pages: number;
  sourceAccount: string;
  backupAccount: string;
  backupContainer: string;
  /** Every copy verified and none failed. */
  verified: boolean;
  manifest: string;
  report: string;
  startedAt: string;
  elapsedMs: number;
}

export type BackupPhase = 'preflight' | 'copying' | 'committing' | 'done';

export interface BackupProgress extends BackupCounts {
  phase: BackupPhase;
  runKey?: string;
  pagesListed: number;
  pagesDone: number;
  /** The listing has reached the end of the container: pagesListed is the total. */
  listingDone: boolean;
  startedAt: string;
  elapsedMs: number;
}

export const progressQuery = defineQuery<BackupProgress>('progress');

// Activities heartbeat every 5 s while they work: a worker that dies mid-call is replaced within 20 s.
const { prepareBackup, listInventoryPage, commitRun } = proxyActivities<Activities>(activityOptions('1 hour'));

type Run = Omit<BackupCarry, 'continuationToken' | 'pageIndex' | 'lastName' | 'counts'>;

export async function backupContainer(input: BackupContainerInput): Promise<BackupContainerResult> {
  const info = workflowInfo();
  const continuedAsNew = info.continuedFromExecutionRunId !== undefined;
  rejectInvalidInput('backupContainer', backupContainerInputProblems(input, { continuedAsNew }));
  if (input.carry && input.carry.scope !== catalogScope(input.carry.sourceAccount, input.container, input.prefix))
    throw ApplicationFailure.nonRetryable(
      `carry.scope ${input.carry.scope} is not the catalog scope of ${input.container}${input.prefix ? ` (prefix ${input.prefix})` : ''}`,
      FailureType.InvalidInput,
    );
  const backupContainerName = input.backupContainer ?? DEFAULT_BACKUP_CONTAINER;
  const startedAtMs = input.carry?.startedAtMs ?? Date.now();
  const state = {
    phase: (input.carry ? 'copying' : 'preflight') as BackupPhase,
    counts: input.carry?.counts ?? emptyCounts(),
    pagesListed: input.carry?.pageIndex ?? 0,
    pagesDone: input.carry?.pageIndex ?? 0,
    listingDone: false,
    runKey: input.carry?.runKey,
  };
  setHandler(progressQuery, () => ({
    ...state.counts,
    phase: state.phase,
    runKey: state.runKey,
    pagesListed: state.pagesListed,
    pagesDone: state.pagesDone,
    listingDone: state.listingDone || state.phase === 'committing' || state.phase === 'done',
    startedAt: new Date(startedAtMs).toISOString(),
    elapsedMs: Date.now() - startedAtMs,
  }));
  const kind = input.reconcile ? 'blob-container-reconcile' : 'blob-container';
  const sourceOf = (account: string) => `${account}/${input.container}`;
  return trackRun(
    { kind, source: input.carry && sourceOf(input.carry.sourceAccount), container: input.container },
    async () => {
      const run: Run = input.carry ?? (await start(input, backupContainerName, startedAtMs, info.firstExecutionRunId));
      if (!input.carry) describeRun({ source: sourceOf(run.sourceAccount) });
      state.runKey = run.runKey;
      state.phase = 'copying';
      const pageTemplate = pageTemplateFor(input, run, backupContainerName);
      const window = new ChildWindow(input.maxConcurrentPages ?? DEFAULT_MAX_CONCURRENT_PAGES);
      const launch = (pageIndex: number, range: BackupPageInput['range']) =>
        window.add(
          `${pageIndex}`,
          executeChild(backupContainerPage, {
            workflowId: `${info.workflowId}/${run.runKey}/page-${pageIndex}`,
            args: [{ ...pageTemplate, pageIndex, range }],
            staticSummary: namePageSummary(pageIndex, range),
          }),
          (pageCounts) => {
            state.counts = addCounts(state.counts, { ...pageCounts, listed: 0 }); // listed is counted by the listing
            state.pagesDone++;
          },
        );
      let token = input.carry?.continuationToken;
      let lastName = input.carry?.lastName;
      let pagesThisRun = 0;
      do {
        await window.room();
        const page = await listInventoryPage({
          source: input.source,
          container: input.container,
          prefix: input.prefix,
          backup: input.backup,
          backupContainer: backupContainerName,
          scope: run.scope,
          runKey: run.runKey,
          pageIndex: state.pagesListed,
          previousRunKey: run.previousRunKey,
          continuationToken: token,
          pageSize: input.pageSize ?? MAX_PAGE_SIZE,
          maxRequestsPerSecond: input.maxRequestsPerSecond,
          lo: lastName,
          settleUnchanged: pageTemplate.mode === 'incremental' && !input.reconcile,
          requireSnapshot: pageTemplate.snapshot,
          requireVerified: pageTemplate.verify !== 'none',
        });
        token = page.nextContinuationToken;
        state.listingDone = !token;
        const listed = countListedPages(state, page, lastName, !token);
        pagesThisRun += listed.pages;
        if (listed.launch) launch(listed.launch.pageIndex, listed.launch.range);
        lastName = listed.lastName;
        if (
          token &&
          (workflowInfo().continueAsNewSuggested || pagesThisRun >= (input.maxPagesPerRun ?? DEFAULT_PAGES_PER_RUN))
        ) {
          await window.drain(); // children finish in this run; the next one starts clean
          const carry: BackupCarry = {
            ...run,
            continuationToken: token,
            pageIndex: state.pagesListed,
            lastName,
            counts: state.counts,
          };
          await continueAsNew<typeof backupContainer>({ ...input, carry });
        }
      } while (token);
      await window.drain();

      state.phase = 'committing';
      const committed = await commitRun({
        backupConnection: input.backup,
        scope: run.scope,
        maxRequestsPerSecond: input.maxRequestsPerSecond,
        runKey: run.runKey,
        workflowId: info.workflowId,
        source: {
          connection: input.source,
          account: run.sourceAccount,
          container: input.container,
          prefix: input.prefix,
        },
        backup: { account: run.backupAccount, container: backupContainerName },
        mode: pageTemplate.mode,
        verify: pageTemplate.verify,
        snapshot: pageTemplate.snapshot,
        startedAt: new Date(startedAtMs).toISOString(),
        counts: state.counts,
        pages: state.pagesListed,
        previousRunKey: run.previousRunKey,
      });
      state.phase = 'done';
      return {
        ...state.counts,
        runKey: run.runKey,
        pages: state.pagesListed,
        sourceAccount: run.sourceAccount,
        backupAccount: run.backupAccount,
        backupContainer: backupContainerName,
        verified: committed.verified,
        manifest: committed.manifest,
        report: committed.report,
        startedAt: new Date(startedAtMs).toISOString(),
        elapsedMs: Date.now() - startedAtMs,
      };
    },
    (result) => (result.verified ? 'Completed' : 'CompletedWithFailures'),
  );
}

async function start(
  input: BackupContainerInput,
  backupContainerName: string,
  startedAtMs: number,
  firstRunId: string,
) {
  const prepared = await prepareBackup({
    source: input.source,
    container: input.container,
    prefix: input.prefix,
    backup: input.backup,
    backupContainer: backupContainerName,
    maxRequestsPerSecond: input.maxRequestsPerSecond,
    adf: input.adf,
  });
  return { ...prepared, runKey: makeRunKey(startedAtMs, firstRunId), startedAtMs };
}

/** What every page child of this run gets, defaults applied. */
function pageTemplateFor(
  input: BackupContainerInput,
  run: Run,
  backupContainerName: string,
): Omit<BackupPageInput, 'pageIndex' | 'range'> {
  return {
    source: input.source,
    container: input.container,
    backup: input.backup,
    backupContainer: backupContainerName,
    scope: run.scope,
    runKey: run.runKey,
    runStartedAt: new Date(run.startedAtMs).toISOString(),
    previousRunKey: run.previousRunKey,
    mode: input.mode ?? 'incremental',
    snapshot: input.snapshot ?? true,
    leaseMode: input.leaseMode ?? false,
    verify: input.verify ?? 'md5',
    concurrency: input.concurrency ?? DEFAULT_CONCURRENCY,
    maxRequestsPerSecond: input.maxRequestsPerSecond,
    largeBlobThresholdBytes: input.largeBlobThresholdBytes ?? DEFAULT_LARGE_BLOB_THRESHOLD_BYTES,
    blockBytes: input.blockBytes,
    redoUnverified: input.reconcile,
    checkCopies: input.reconcile,
    ...(input.adf
      ? {
          adf: input.adf,
          adfThresholdBytes: input.mover === 'adf' ? 0 : input.adfThresholdBytes,
          adfPollEveryMs: input.adfPollEveryMs,
        }
      : {}),
  };
}

/**
 * Counts what one listing call covered: the pages it settled, then its own page, which is settled too
 * (nothing to copy) or needs a child. An empty page with more to come covers no names; the final
 * page's range is open-ended.
 */
function countListedPages(
  state: { counts: BackupCounts; pagesListed: number; pagesDone: number },
  page: InventoryPage,
  lastName: string | undefined,
  final: boolean,
): { pages: number; lastName?: string; launch?: { pageIndex: number; range: BackupPageInput['range'] } } {
  let pages = 0;
  let launch: { pageIndex: number; range: BackupPageInput['range'] } | undefined;
  for (const settled of page.settledPages ?? []) {
    state.counts = addCounts(state.counts, {
      listed: settled.count,
      unchanged: settled.count,
      bytesHeld: settled.bytesHeld,
    });
    lastName = settled.lastName;
    state.pagesListed++;
    state.pagesDone++;
    pages++;
  }
  if (page.count > 0 || final) {
    state.counts = addCounts(state.counts, { listed: page.count });
    if (page.settled) {
      state.counts = addCounts(state.counts, { unchanged: page.count, bytesHeld: page.bytesHeld });
      state.pagesDone++;
    } else launch = { pageIndex: state.pagesListed, range: { lo: lastName, hi: final ? undefined : page.lastName } };
    lastName = page.lastName ?? lastName;
    state.pagesListed++;
    pages++;
  }
  return { pages, lastName, launch };
}
