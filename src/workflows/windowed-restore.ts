// The shared body of restoring a windowed export (restoreCosmos, restoreMongo): plan once (runs and
// windows as of a time, target and keys checked), then restore window after window in time order (the
// later version of a document is written last), continuing as new in long restores.
import { defineQuery, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities, ExportRestorePlan } from '../activities';
import { DEFAULT_BACKUP_CONTAINER, DEFAULT_PAGES_PER_RUN } from '../domain/defaults';
import type { DocumentKind } from '../domain/export-manifest';
import { parseIsoTimeMs } from '../domain/time-windows';
import { trackRun } from './run-status';
import type { DocumentAddress } from './windowed-backup';
import { activityOptions } from './workflow-rules';

export interface WindowedRestoreInput {
  backup: string;
  backupContainer?: string;
  /** The exported source, as the catalog names it (account from its endpoint, database, container). */
  source: { account: string; database: string; container: string };
  /** ISO time: the documents written before it; default now. */
  asOf?: string;
  target: DocumentAddress;
  /** Restoring into the exported container itself must be asked for. */
  allowSourceTarget?: boolean;
  /** Plan and report, write nothing. */
  dryRun?: boolean;
  /** Tuning: windows before continuing as new (default 200). */
  maxWindowsPerRun?: number;
  carry?: WindowedRestoreCarry;
}

export interface WindowedRestoreCarry {
  startedAtMs: number;
  asOfMs: number;
  plan: ExportRestorePlan;
  /** Position: the run and the window within it to restore next. */
  run: number;
  window: number;
  totals: RestoreTotals;
}

export interface RestoreTotals {
  windows: number;
  read: number;
  upserted: number;
  skipped: number;
  deleted: number;
}

export interface WindowedRestoreResult extends RestoreTotals {
  dryRun: boolean;
  asOf: string;
  runs: string[];
  /** Windows the plan holds; with a dry run, what would be restored. */
  plannedWindows: number;
  plannedDocuments: number;
  elapsedMs: number;
}

export interface WindowedRestoreProgress extends RestoreTotals {
  phase: 'planning' | 'restoring' | 'done';
  plannedWindows: number;
  elapsedMs: number;
}

export const windowedRestoreProgressQuery = defineQuery<WindowedRestoreProgress>('progress');

const { planExportRestore, restoreExportWindow } = proxyActivities<Activities>(activityOptions('4 hours'));

export async function runWindowedRestore(
  kind: DocumentKind,
  input: WindowedRestoreInput,
  restart: (carry: WindowedRestoreCarry) => Promise<never>,
): Promise<WindowedRestoreResult> {
  const startedAtMs = input.carry?.startedAtMs ?? Date.now();
  const asOfMs = input.carry?.asOfMs ?? (input.asOf ? parseIsoTimeMs(input.asOf)! : Date.now());
  const backupContainer = input.backupContainer ?? DEFAULT_BACKUP_CONTAINER;
  const state = {
    phase: (input.carry ? 'restoring' : 'planning') as WindowedRestoreProgress['phase'],
    totals: input.carry?.totals ?? { windows: 0, read: 0, upserted: 0, skipped: 0, deleted: 0 },
    plan: input.carry?.plan,
  };
  setHandler(windowedRestoreProgressQuery, () => ({
    phase: state.phase,
    ...state.totals,
    plannedWindows: state.plan?.windows ?? 0,
    elapsedMs: Date.now() - startedAtMs,
  }));
  const { source, target } = input;
  return trackRun(
    {
      kind: `${kind}-restore`,
      source: `${source.account}/${source.database}/${source.container}`,
      container: target.container,
    },
    async () => {
      const plan = (state.plan ??= await planExportRestore({
        kind,
        backup: input.backup,
        backupContainer,
        source,
        asOfMs,
        target,
        allowSourceTarget: input.allowSourceTarget ?? false,
        dryRun: input.dryRun ?? false,
      }));
      if (!input.dryRun) {
        state.phase = 'restoring';
        let done = 0;
        for (let r = input.carry?.run ?? 0; r < plan.runs.length; r++) {
          const run = plan.runs[r]!;
          for (let w = r === input.carry?.run ? input.carry.window : 0; w < run.windows; w++) {
            if (done++ >= (input.maxWindowsPerRun ?? DEFAULT_PAGES_PER_RUN) || workflowInfo().continueAsNewSuggested)
              await restart({ startedAtMs, asOfMs, plan, run: r, window: w, totals: state.totals });
            const result = await restoreExportWindow({
              kind,
              backup: input.backup,
              backupContainer,
              scope: plan.scope,
              runKey: run.runKey,
              index: w,
              asOfMs,
              target,
              full: run.full,
            });
            state.totals = {
              windows: state.totals.windows + 1,
              read: state.totals.read + result.read,
              upserted: state.totals.upserted + result.upserted,
              skipped: state.totals.skipped + result.skipped,
              deleted: state.totals.deleted + result.deleted,
            };
          }
        }
      }
      state.phase = 'done';
      return {
        ...state.totals,
        dryRun: input.dryRun ?? false,
        asOf: new Date(asOfMs).toISOString(),
        runs: plan.runs.map((r) => r.runKey),
        plannedWindows: plan.windows,
        plannedDocuments: plan.documents,
        elapsedMs: Date.now() - startedAtMs,
      };
    },
  );
}
