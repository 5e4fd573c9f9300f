// backupContainer: back up one blob container (or one prefix of it) into the backup account. Lists the
// container page by page (each page staged as a blob), runs a child workflow per page in a sliding
// window, continues as new before history grows large, and commits the run's manifest last.
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
import type { Activities, BackupPageInput } from '../activities';
import { addCounts, emptyCounts, type BackupCounts } from '../domain/backup-counts';
import { backupContainerInputProblems, MAX_PAGE_SIZE } from '../domain/backup-input';
import { DEFAULT_BACKUP_CONTAINER } from '../domain/backup-naming';
import { runKey as makeRunKey } from '../domain/catalog-layout';
import { backupContainerPage } from './backup-page';
import { BackupContainer, BackupKind, BackupSource, BackupStatus } from './search-attributes';
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
  mode?: 'incremental' | 'full';
  /** Snapshot each blob before copying it (default true). */
  snapshot?: boolean;
  /** Hold a lease on each source blob while it is snapshotted and copied (default false). */
  leaseMode?: boolean;
  /** md5 (default): size + MD5 of every copy; deep: also read each copy back; none. */
  verify?: 'md5' | 'deep' | 'none';
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
  /** Set by reconcileContainer: redo unverified copies and check that every copy still exists. */
  reconcile?: boolean;
  /** Progress carried across continue-as-new; set by the workflow itself. */
  carry?: BackupCarry;
}

export interface BackupCarry {
  runKey: string;
  startedAt: number;
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

const DEFAULT_PAGES_PER_RUN = 200;

// Activities heartbeat every 5 s while they work: a worker that dies mid-call is replaced within 20 s.
const { prepareBackup, listInventoryPage, commitRun } = proxyActivities<Activities>(activityOptions('1 hour'));

export async function backupContainer(input: BackupContainerInput): Promise<BackupContainerResult> {
  const problems = backupContainerInputProblems(input);
  rejectInvalidInput('backupContainer', problems);
  const info = workflowInfo();
  const backupContainerName = input.backupContainer ?? DEFAULT_BACKUP_CONTAINER;
  const startedAt = input.carry?.startedAt ?? Date.now();
  let phase: BackupPhase = input.carry ? 'copying' : 'preflight';
  let counts = input.carry?.counts ?? emptyCounts();
  let pagesListed = input.carry?.pageIndex ?? 0;
  let pagesDone = pagesListed;
  let key = input.carry?.runKey;
  let listingDone = false;
  setHandler(progressQuery, () => ({
    phase,
    ...counts,
    runKey: key,
    pagesListed,
    pagesDone,
    listingDone: listingDone || phase === 'committing' || phase === 'done',
    startedAt: new Date(startedAt).toISOString(),
    elapsedMs: Date.now() - startedAt,
  }));
  upsertSearchAttributes([
    { key: BackupKind, value: input.reconcile ? 'blob-container-reconcile' : 'blob-container' },
    { key: BackupSource, value: `${input.source}/${input.container}` },
    { key: BackupContainer, value: input.container },
    { key: BackupStatus, value: 'Running' },
  ]);

  try {
    const run = input.carry ?? (await start(input, backupContainerName, startedAt, info.firstExecutionRunId));
    key = run.runKey;
    phase = 'copying';
    const pageTemplate: Omit<BackupPageInput, 'pageIndex' | 'range'> = {
      source: input.source,
      container: input.container,
      backup: input.backup,
      backupContainer: backupContainerName,
      scope: run.scope,
      runKey: run.runKey,
      runStartedAt: new Date(startedAt).toISOString(),
      previousRunKey: run.previousRunKey,
      mode: input.mode ?? 'incremental',
      snapshot: input.snapshot ?? true,
      leaseMode: input.leaseMode ?? false,
      verify: input.verify ?? 'md5',
      concurrency: input.concurrency ?? 16,
      maxRequestsPerSecond: input.maxRequestsPerSecond,
      largeBlobThresholdBytes: input.largeBlobThresholdBytes ?? 256 * 1024 * 1024,
      blockBytes: input.blockBytes,
      redoUnverified: input.reconcile,
      checkCopies: input.reconcile,
    };
    const window = new Map<number, Promise<void>>();
    const launch = (pageIndex: number, range: BackupPageInput['range']) => {
      const child = executeChild(backupContainerPage, {
        workflowId: `${info.workflowId}/${run.runKey}/page-${pageIndex}`,
        args: [{ ...pageTemplate, pageIndex, range }],
      }).then((pageCounts) => {
        counts = addCounts(counts, { ...pageCounts, listed: 0 }); // listed is counted by the listing
        pagesDone++;
        window.delete(pageIndex);
      });
      window.set(pageIndex, child);
    };

    let token = input.carry?.continuationToken;
    let lastName = input.carry?.lastName;
    let pagesThisRun = 0;
    do {
      while (window.size >= (input.maxConcurrentPages ?? 4)) await Promise.race(window.values());
      const page = await listInventoryPage({
        source: input.source,
        container: input.container,
        prefix: input.prefix,
        backup: input.backup,
        backupContainer: backupContainerName,
        scope: run.scope,
        runKey: run.runKey,
        pageIndex: pagesListed,
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
      listingDone = !token;
      for (const settled of page.settledPages ?? []) {
        counts = addCounts(counts, { listed: settled.count, unchanged: settled.count, bytesHeld: settled.bytesHeld });
        lastName = settled.lastName;
        pagesListed++;
        pagesDone++;
        pagesThisRun++;
      }
      // An empty page with more to come covers no names; the final page's range is open-ended.
      if (page.count > 0 || !token) {
        counts = addCounts(counts, { listed: page.count });
        if (page.settled) {
          // Nothing to copy: no child needed.
          counts = addCounts(counts, { unchanged: page.count, bytesHeld: page.bytesHeld });
          pagesDone++;
        } else launch(pagesListed, { lo: lastName, hi: token ? page.lastName : undefined });
        lastName = page.lastName ?? lastName;
        pagesListed++;
        pagesThisRun++;
      }
      if (
        token &&
        (workflowInfo().continueAsNewSuggested || pagesThisRun >= (input.maxPagesPerRun ?? DEFAULT_PAGES_PER_RUN))
      ) {
        await Promise.all(window.values()); // children finish in this run; the next one starts clean
        const carry: BackupCarry = { ...run, continuationToken: token, pageIndex: pagesListed, lastName, counts };
        await continueAsNew<typeof backupContainer>({ ...input, carry });
      }
    } while (token);
    await Promise.all(window.values());

    phase = 'committing';
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
      startedAt: new Date(startedAt).toISOString(),
      counts,
      pages: pagesListed,
      previousRunKey: run.previousRunKey,
    });
    phase = 'done';
    upsertSearchAttributes([{ key: BackupStatus, value: committed.verified ? 'Completed' : 'CompletedWithFailures' }]);
    return {
      ...counts,
      runKey: run.runKey,
      pages: pagesListed,
      sourceAccount: run.sourceAccount,
      backupAccount: run.backupAccount,
      backupContainer: backupContainerName,
      verified: committed.verified,
      manifest: committed.manifest,
      report: committed.report,
      startedAt: new Date(startedAt).toISOString(),
      elapsedMs: Date.now() - startedAt,
    };
  } catch (err) {
    // continueAsNew works by throwing: the run goes on, so its status stays Running.
    if (!(err instanceof ContinueAsNew)) {
      upsertSearchAttributes([{ key: BackupStatus, value: isCancellation(err) ? 'Cancelled' : 'Failed' }]);
    }
    throw err;
  }
}

async function start(input: BackupContainerInput, backupContainerName: string, startedAt: number, firstRunId: string) {
  const prepared = await prepareBackup({
    source: input.source,
    container: input.container,
    prefix: input.prefix,
    backup: input.backup,
    backupContainer: backupContainerName,
    maxRequestsPerSecond: input.maxRequestsPerSecond,
  });
  return { ...prepared, runKey: makeRunKey(startedAt, firstRunId), startedAt };
}
