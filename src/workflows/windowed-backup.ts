// The shared body of windowed exports (backupCosmosContainer, backupMongoCollection): prepare, plan the
// windows of [from, to) (incremental: from where the catalog's last run ended), one child workflow per
// window in a sliding window, continue-as-new for long ranges, then the manifest, last.
import {
  ApplicationFailure,
  defineQuery,
  executeChild,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities, PrepareExportResult } from '../activities';
import { runKey as makeRunKey } from '../domain/catalog-layout';
import { windowSummary } from '../domain/run-summaries';
import { DEFAULT_BACKUP_CONTAINER, DEFAULT_PAGES_PER_RUN } from '../domain/defaults';
import type { Compression, DocumentKind, ExportInputMode, ExportMode } from '../domain/export-manifest';
import { FailureType } from '../domain/failures';
import { formatProblems } from '../domain/input-problems';
import {
  DEFAULT_SETTLE_SECONDS,
  DEFAULT_WINDOW_SECONDS,
  planWindows,
  resolveRange,
  type TimeWindow,
} from '../domain/time-windows';
import { ChildWindow } from './child-window';
import { exportDocumentWindow, type WindowCounts } from './export-window';
import { describeRun, trackRun } from './run-status';
import { activityOptions } from './workflow-rules';

export interface DocumentAddress {
  /** Connection name (resolved by the worker; never a secret). */
  connection: string;
  database: string;
  /** Cosmos DB container, or Mongo collection. */
  container: string;
}

/** A windowed export as the shared body sees it (the public workflows name their fields per API). */
export interface WindowedBackupInput {
  source: DocumentAddress;
  mode?: ExportInputMode;
  adf?: string;
  adfPollEveryMs?: number;
  backup?: string;
  backupContainer?: string;
  target?: DocumentAddress;
  from?: string;
  to?: string;
  windowSeconds?: number;
  settleSeconds?: number;
  compression?: Compression;
  gzipLevel?: number;
  encryptionKey?: string;
  maxConcurrentWindows?: number;
  maxWindowsPerRun?: number;
  carry?: WindowedCarry;
}

export interface WindowedCarry {
  runKey: string;
  startedAtMs: number;
  prepared: PrepareExportResult;
  fromMs: number;
  toMs: number;
  /** Windows handed to children so far (the outside pass, when there is one, comes last). */
  nextIndex: number;
  /** Window 0 also reads the documents no window sees (no outside pass of their own); fixed per run. */
  outsideInFirstWindow?: boolean;
  totals: WindowCounts & { windowsDone: number };
  outside?: { documents: number; sample: string[] };
}

export interface WindowedBackupResult extends WindowCounts {
  runKey: string;
  mode: ExportMode;
  account: string;
  fromMs: number;
  toMs: number;
  from: string;
  to: string;
  windows: number;
  /** The committed manifest (absent when nothing had settled since the last run, or a replica without catalog). */
  manifest?: string;
  /**
   * Documents no window can see (Mongo `_id`s that are not ObjectIds), exported by a pass of their own:
   * how many, and a few of their keys.
   */
  outside?: { documents: number; sample: string[] };
  startedAt: string;
  elapsedMs: number;
}

export interface WindowedProgress extends WindowCounts {
  phase: 'preparing' | 'exporting' | 'committing' | 'done';
  runKey?: string;
  windowsTotal: number;
  windowsDone: number;
  /** The newest window handed to a child. */
  currentWindow?: { index: number; fromMs: number; toMs: number };
  startedAt: string;
  elapsedMs: number;
}

export const windowedProgressQuery = defineQuery<WindowedProgress>('progress');

const { prepareExport, commitExport } = proxyActivities<Activities>(activityOptions('1 hour'));

/** Runs that began before window 0 read the unseen documents too replay with a pass of their own. */
const OUTSIDE_IN_FIRST_WINDOW = 'outside-in-first-window';

/** Runs the export whose input the caller has validated; `restart` continues as new with a carry. */
export async function runWindowedBackup(
  kind: DocumentKind,
  input: WindowedBackupInput,
  restart: (carry: WindowedCarry) => Promise<never>,
): Promise<WindowedBackupResult> {
  const info = workflowInfo();
  // An export Data Factory moves is cataloged as an export: restore reads it like any other.
  const mode: ExportMode = input.mode === 'adf' ? 'export' : (input.mode ?? 'export');
  const adf = input.mode === 'adf' ? { connection: input.adf!, pollEveryMs: input.adfPollEveryMs } : undefined;
  const backupContainer = input.backupContainer ?? DEFAULT_BACKUP_CONTAINER;
  const startedAtMs = input.carry?.startedAtMs ?? Date.now();
  const state = {
    phase: (input.carry ? 'exporting' : 'preparing') as WindowedProgress['phase'],
    totals: input.carry?.totals ?? { documents: 0, plainBytes: 0, storedBytes: 0, windowsDone: 0 },
    windowsTotal: 0,
    current: undefined as TimeWindow | undefined,
    outside: input.carry?.outside,
  };
  setHandler(windowedProgressQuery, () => ({
    phase: state.phase,
    runKey: input.carry?.runKey ?? runKey,
    documents: state.totals.documents,
    plainBytes: state.totals.plainBytes,
    storedBytes: state.totals.storedBytes,
    windowsTotal: state.windowsTotal,
    windowsDone: state.totals.windowsDone,
    currentWindow: state.current && {
      index: state.current.index,
      fromMs: state.current.fromMs,
      toMs: state.current.toMs,
    },
    startedAt: new Date(startedAtMs).toISOString(),
    elapsedMs: Date.now() - startedAtMs,
  }));
  const runKey = input.carry?.runKey ?? makeRunKey(startedAtMs, info.firstExecutionRunId);
  const describe = (account: string) => `${account}/${input.source.database}/${input.source.container}`;
  return trackRun(
    {
      kind: `${kind}-${mode}`,
      source: input.carry && describe(input.carry.prepared.account),
      container: input.source.container,
    },
    async () => {
      const prepared =
        input.carry?.prepared ??
        (await prepareExport({
          kind,
          source: input.source,
          mode,
          backup: input.backup,
          backupContainer,
          target: input.target,
          encryptionKey: input.encryptionKey,
          adf: adf?.connection,
          fromGiven: input.from !== undefined,
        }));
      if (!input.carry) describeRun({ source: describe(prepared.account) });
      const windowSeconds = input.windowSeconds ?? DEFAULT_WINDOW_SECONDS;
      const range = input.carry ?? plannedRange(input, prepared, windowSeconds);
      const windows = planned(mode, range, windowSeconds);
      // Documents a window cannot see (Mongo _ids that are not ObjectIds): read by window 0's query too when
      // the worker exports it (one scan of the collection where that query is not an index range), else by a
      // pass of their own, last (replica mode, Data Factory, runs started before this existed).
      const unseen = kind === 'mongo' && mode !== 'full' && windows.length > 0;
      const outsideInFirstWindow = input.carry
        ? input.carry.outsideInFirstWindow === true
        : unseen && mode === 'export' && !adf && patched(OUTSIDE_IN_FIRST_WINDOW);
      const outside = unseen && !outsideInFirstWindow;
      const total = windows.length + (outside ? 1 : 0);
      state.windowsTotal = total;
      state.phase = 'exporting';
      const child = (window: TimeWindow, pass: 'window' | 'all' | 'outside') => {
        const args =
          mode === 'replica'
            ? { replicate: { kind, source: input.source, target: input.target!, window, pass } }
            : {
                export: {
                  kind,
                  source: input.source,
                  window,
                  pass,
                  runKey,
                  scope: prepared.scope!,
                  backup: input.backup!,
                  backupContainer,
                  compression: input.compression ?? 'gzip',
                  gzipLevel: input.gzipLevel,
                  encryptionKey: input.encryptionKey,
                  ...(adf && pass === 'window' ? { adf } : {}),
                  ...(outsideInFirstWindow && window.index === 0 ? { withOutside: true } : {}),
                },
              };
        return executeChild(exportDocumentWindow, {
          workflowId: `${info.workflowId}/${runKey}/window-${window.index}`,
          args: [args],
          staticSummary: windowSummary(window, pass),
        });
      };
      const slots = new ChildWindow(input.maxConcurrentWindows ?? 4);
      let next = input.carry?.nextIndex ?? 0;
      let startedThisRun = 0;
      while (next < total) {
        await slots.room();
        const index = next++;
        const window = index < windows.length ? windows[index]! : { index, fromMs: range.toMs, toMs: range.toMs };
        state.current = window;
        const pass = index >= windows.length ? 'outside' : mode === 'full' ? 'all' : 'window';
        slots.add(`${index}`, child(window, pass), (counts) => {
          if (pass === 'outside') state.outside = { documents: counts.documents, sample: counts.sample ?? [] };
          if (counts.outside) state.outside = counts.outside;
          state.totals = {
            documents: state.totals.documents + counts.documents,
            plainBytes: state.totals.plainBytes + counts.plainBytes,
            storedBytes: state.totals.storedBytes + counts.storedBytes,
            windowsDone: state.totals.windowsDone + 1,
          };
        });
        if (
          next < total &&
          (++startedThisRun >= (input.maxWindowsPerRun ?? DEFAULT_PAGES_PER_RUN) ||
            workflowInfo().continueAsNewSuggested)
        ) {
          await slots.drain();
          await restart({
            runKey,
            startedAtMs,
            prepared,
            fromMs: range.fromMs,
            toMs: range.toMs,
            nextIndex: next,
            outsideInFirstWindow,
            totals: state.totals,
            outside: state.outside,
          });
        }
      }
      await slots.drain();
      state.phase = 'committing';
      let manifest: string | undefined;
      if (total > 0 && prepared.scope) {
        manifest = (
          await commitExport({
            backupConnection: input.backup!,
            backupContainer,
            scope: prepared.scope,
            kind,
            runKey,
            workflowId: info.workflowId,
            mode,
            source: { ...input.source, account: prepared.account, partitionKeyPath: prepared.partitionKeyPath },
            target: input.target && { ...input.target, account: prepared.targetAccount! },
            fromMs: range.fromMs,
            toMs: range.toMs,
            windowSeconds,
            windows: total,
            documents: state.totals.documents,
            plainBytes: state.totals.plainBytes,
            storedBytes: state.totals.storedBytes,
            compression: input.compression ?? 'gzip',
            encryptionKey: input.encryptionKey,
            startedAt: new Date(startedAtMs).toISOString(),
          })
        ).manifest;
      }
      state.phase = 'done';
      return {
        runKey,
        mode,
        account: prepared.account,
        fromMs: range.fromMs,
        toMs: range.toMs,
        from: new Date(range.fromMs).toISOString(),
        to: new Date(range.toMs).toISOString(),
        windows: total,
        documents: state.totals.documents,
        plainBytes: state.totals.plainBytes,
        storedBytes: state.totals.storedBytes,
        manifest,
        outside: state.outside,
        startedAt: new Date(startedAtMs).toISOString(),
        elapsedMs: Date.now() - startedAtMs,
      };
    },
  );
}

/** [from, to) of this run: `from` as asked, else where the last run ended, else the oldest document. */
function plannedRange(input: WindowedBackupInput, prepared: PrepareExportResult, windowSeconds: number) {
  const windowMs = windowSeconds * 1000;
  const resolved = resolveRange({
    from: input.from,
    to: input.to,
    nowMs: Date.now(),
    settleSeconds: input.settleSeconds ?? DEFAULT_SETTLE_SECONDS,
    lastCompletedEndMs: input.mode === 'full' ? undefined : prepared.lastCompletedEndMs,
    // A first export starts at a window boundary at or before the oldest document.
    epochStartMs:
      prepared.oldestTimeMs === undefined ? undefined : Math.floor(prepared.oldestTimeMs / windowMs) * windowMs,
    windowSeconds: input.mode === 'full' ? undefined : windowSeconds,
  });
  if (!resolved.ok)
    throw ApplicationFailure.nonRetryable(
      `Invalid range: ${formatProblems(resolved.problems)}`,
      FailureType.InvalidInput,
      resolved.problems,
    );
  return resolved.range;
}

/** The windows of the range; a full export is one pass over everything, up to `to`. */
function planned(mode: ExportMode, range: { fromMs: number; toMs: number }, windowSeconds: number): TimeWindow[] {
  if (mode === 'full') return [{ index: 0, fromMs: range.fromMs, toMs: range.toMs }];
  const plan = planWindows({ fromMs: range.fromMs, toMs: range.toMs, windowSeconds });
  if (!plan.ok)
    throw ApplicationFailure.nonRetryable(
      `Invalid windows: ${formatProblems(plan.problems)}`,
      FailureType.InvalidInput,
      plan.problems,
    );
  return plan.windows;
}
