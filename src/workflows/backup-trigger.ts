// backupTrigger: one per (source connection, container), id `trigger/<source>/<container>`, reached by
// signal-with-start. The first request starts a backup at once; requests that arrive while it runs are
// merged (domain/backup-request.ts) into exactly one follow-up run, never refused and never lost. After
// a run it lingers for more requests, then completes; the next request starts it again. Backups run as
// child workflows (derived ids, visible under the trigger in the UI, a handful of events each); the
// trigger continues as new when its history grows.
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  executeChild,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { backupContainerInputProblems } from '../domain/backup-input';
import {
  BACKUP_REQUESTED_SIGNAL,
  describePending,
  mergeRequest,
  noPendingRequests,
  type BackupRequest,
  type PendingRequests,
} from '../domain/backup-request';
import { intRangeProblem } from '../domain/input-problems';
import { backupContainer, type BackupContainerInput } from './backup-container';
import { describeRun } from './run-status';
import { rejectInvalidInput } from './workflow-rules';

/** The backup a trigger runs: the container as a whole, with these settings. */
export type TriggeredBackupSettings = Pick<
  BackupContainerInput,
  'backupContainer' | 'mode' | 'verify' | 'snapshot' | 'leaseMode' | 'concurrency' | 'maxRequestsPerSecond' | 'pageSize'
>;

export interface BackupTriggerInput extends TriggeredBackupSettings {
  /** Connection name of the source account. */
  source: string;
  container: string;
  /** Connection name of the backup account. */
  backup: string;
  /** How long to wait for more requests after a run before completing (default 60, 0 to 3600). */
  lingerSeconds?: number;
  /** Set by the workflow when it continues as new: requests not yet run, and what ran so far. */
  carry?: { pending: PendingRequests; runs: TriggeredRun[] };
}

export interface TriggeredRun {
  workflowId: string;
  /** What the run covered: the requests merged into it. */
  covered: PendingRequests;
  outcome: 'verified' | 'unverified' | 'failed';
  /** The run key (when it got one) or the failure message. */
  detail: string;
}

export interface BackupTriggerState {
  running?: { workflowId: string; covered: PendingRequests };
  pending: PendingRequests;
  /** Runs of this trigger execution (and those it continued from), newest last; at most 20 kept. */
  runs: TriggeredRun[];
}

export const backupRequestedSignal = defineSignal<[BackupRequest]>(BACKUP_REQUESTED_SIGNAL);
export const triggerStateQuery = defineQuery<BackupTriggerState>('triggerState');

const DEFAULT_LINGER_SECONDS = 60;
const KEPT_RUNS = 20;
/** Well under the 10,240-event warning: a run costs ~10 events, signals one each. */
const MAX_HISTORY_EVENTS = 2_000;

export async function backupTrigger(input: BackupTriggerInput): Promise<BackupTriggerState> {
  const { carry, lingerSeconds, ...target } = input;
  rejectInvalidInput('backupTrigger', [
    ...backupContainerInputProblems({ ...target }),
    ...(intRangeProblem(lingerSeconds, 0, 3600, ' seconds')
      ? [
          {
            field: 'lingerSeconds',
            value: lingerSeconds,
            message: intRangeProblem(lingerSeconds, 0, 3600, ' seconds')!,
          },
        ]
      : []),
  ]);
  const state: BackupTriggerState = { pending: carry?.pending ?? noPendingRequests(), runs: carry?.runs ?? [] };
  // A signal cannot be refused: whatever arrives is merged (a malformed one as a whole-container request).
  setHandler(backupRequestedSignal, (request) => {
    state.pending = mergeRequest(state.pending, request);
  });
  setHandler(triggerStateQuery, () => state);
  describeRun({ kind: 'blob-trigger', container: input.container });

  const lingerMs = (lingerSeconds ?? DEFAULT_LINGER_SECONDS) * 1000;
  for (;;) {
    // Checked again after the wait: a request that lands with the timer's expiry is still taken.
    await condition(() => state.pending.count > 0, lingerMs);
    if (state.pending.count === 0) break;
    const covered = state.pending;
    state.pending = noPendingRequests();
    const workflowId = `${workflowInfo().workflowId}/backup-${new Date().toISOString()}`;
    state.running = { workflowId, covered };
    state.runs = [...state.runs, await runBackup(target, workflowId, covered)].slice(-KEPT_RUNS);
    state.running = undefined;
    const info = workflowInfo();
    if (info.continueAsNewSuggested || info.historyLength > MAX_HISTORY_EVENTS) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof backupTrigger>({ ...input, carry: { pending: state.pending, runs: state.runs } });
    }
  }
  return state;
}

async function runBackup(
  target: Omit<BackupTriggerInput, 'carry' | 'lingerSeconds'>,
  workflowId: string,
  covered: PendingRequests,
): Promise<TriggeredRun> {
  try {
    const result = await executeChild(backupContainer, {
      workflowId,
      args: [target],
      staticSummary: `Triggered backup of ${target.source}/${target.container}: ${describePending(covered)}`,
    });
    return { workflowId, covered, outcome: result.verified ? 'verified' : 'unverified', detail: result.runKey };
  } catch (err) {
    // A failed run does not end the trigger: its requests are on record here, the next request runs again.
    const cause = (err as { cause?: { message?: string } }).cause;
    return { workflowId, covered, outcome: 'failed', detail: cause?.message ?? (err as Error).message };
  }
}
