// backupContainer: back up one blob container (optionally one prefix) into the backup account, one
// listing page per activity, continuing as new before history grows large. Decides only; activities act.
import {
  ApplicationFailure,
  ContinueAsNew,
  continueAsNew,
  isCancellation,
  defineQuery,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { addCounts, emptyCounts, type BackupCounts } from '../domain/backup-counts';
import { backupContainerInputProblems, formatProblems, MAX_PAGE_SIZE } from '../domain/backup-input';
import { DEFAULT_BACKUP_CONTAINER } from '../domain/backup-naming';
import { BackupContainer, BackupKind, BackupSource, BackupStatus } from './search-attributes';

export interface BackupContainerInput {
  /** Connection name of the source account (resolved by the worker; never a secret). */
  source: string;
  container: string;
  prefix?: string;
  /** Connection name of the backup account. */
  backup: string;
  /** Container in the backup account holding the copies; default `azbackup`. */
  backupContainer?: string;
  /** Copies in flight per page; default 16. */
  concurrency?: number;
  /** Blobs per listing page (and per activity); default 5000. */
  pageSize?: number;
  /** Pages before continuing as new (keeps history short); default 500. */
  maxPagesPerRun?: number;
  /** Progress carried across continue-as-new; set by the workflow itself. */
  carry?: BackupCarry;
}

export interface BackupCarry {
  continuationToken: string;
  counts: BackupCounts;
  pages: number;
  startedAt: number;
  sourceAccount: string;
  backupAccount: string;
  failures: { blob: string; reason: string }[];
}

export interface BackupContainerResult extends BackupCounts {
  pages: number;
  sourceAccount: string;
  backupAccount: string;
  backupContainer: string;
  startedAt: string;
  elapsedMs: number;
  /** A sample of failed blobs with reasons (at most 20). */
  failures: { blob: string; reason: string }[];
}

export type BackupPhase = 'preflight' | 'copying' | 'done';

export interface BackupProgress extends BackupCounts {
  phase: BackupPhase;
  pages: number;
  startedAt: string;
  elapsedMs: number;
}

export const progressQuery = defineQuery<BackupProgress>('progress');

const MAX_FAILURE_SAMPLES = 20;
/** Continue as new after this many pages even if the server has not suggested it yet. */
const DEFAULT_PAGES_PER_RUN = 500;

const { prepareBackup } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { maximumAttempts: 5, nonRetryableErrorTypes: ['InvalidInput', 'UnknownConnection', 'SourceNotFound'] },
});

const { copyPage } = proxyActivities<Activities>({
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '2s', maximumInterval: '1 minute', nonRetryableErrorTypes: ['UnknownConnection'] },
});

export async function backupContainer(input: BackupContainerInput): Promise<BackupContainerResult> {
  const problems = backupContainerInputProblems(input);
  if (problems.length > 0) {
    throw ApplicationFailure.nonRetryable(
      `Invalid backupContainer input: ${formatProblems(problems)}`,
      'InvalidInput',
      problems,
    );
  }
  const backupContainerName = input.backupContainer ?? DEFAULT_BACKUP_CONTAINER;
  const startedAt = input.carry?.startedAt ?? Date.now();
  let phase: BackupPhase = input.carry ? 'copying' : 'preflight';
  let counts = input.carry?.counts ?? emptyCounts();
  let pages = input.carry?.pages ?? 0;
  const failures = [...(input.carry?.failures ?? [])];
  setHandler(progressQuery, () => ({
    phase,
    ...counts,
    pages,
    startedAt: new Date(startedAt).toISOString(),
    elapsedMs: Date.now() - startedAt,
  }));
  upsertSearchAttributes([
    { key: BackupKind, value: 'blob-container' },
    { key: BackupSource, value: `${input.source}/${input.container}` },
    { key: BackupContainer, value: input.container },
    { key: BackupStatus, value: 'Running' },
  ]);

  try {
    const accounts = input.carry ?? (await prepareBackup({ ...input, backupContainer: backupContainerName }));
    phase = 'copying';
    let continuationToken = input.carry?.continuationToken;
    let pagesThisRun = 0;
    do {
      const page = await copyPage({
        source: input.source,
        container: input.container,
        prefix: input.prefix,
        backup: input.backup,
        backupContainer: backupContainerName,
        continuationToken,
        pageSize: input.pageSize ?? MAX_PAGE_SIZE,
        concurrency: input.concurrency ?? 16,
      });
      counts = addCounts(counts, page);
      failures.push(...page.failures.slice(0, MAX_FAILURE_SAMPLES - failures.length));
      pages++;
      pagesThisRun++;
      continuationToken = page.nextContinuationToken;
      if (
        continuationToken &&
        (workflowInfo().continueAsNewSuggested || pagesThisRun >= (input.maxPagesPerRun ?? DEFAULT_PAGES_PER_RUN))
      ) {
        const carry: BackupCarry = {
          continuationToken,
          counts,
          pages,
          startedAt,
          sourceAccount: accounts.sourceAccount,
          backupAccount: accounts.backupAccount,
          failures,
        };
        await continueAsNew<typeof backupContainer>({ ...input, carry });
      }
    } while (continuationToken);

    phase = 'done';
    upsertSearchAttributes([{ key: BackupStatus, value: counts.failed > 0 ? 'CompletedWithFailures' : 'Completed' }]);
    return {
      ...counts,
      pages,
      sourceAccount: accounts.sourceAccount,
      backupAccount: accounts.backupAccount,
      backupContainer: backupContainerName,
      startedAt: new Date(startedAt).toISOString(),
      elapsedMs: Date.now() - startedAt,
      failures,
    };
  } catch (err) {
    // continueAsNew works by throwing: the run goes on, so its status stays Running.
    if (!(err instanceof ContinueAsNew)) {
      upsertSearchAttributes([{ key: BackupStatus, value: isCancellation(err) ? 'Cancelled' : 'Failed' }]);
    }
    throw err;
  }
}
