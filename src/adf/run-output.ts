// What a pipeline run moved, summed over its Copy activity runs (ADF reports outputs per activity run, not
// per pipeline run): files and bytes read, written and skipped, documents copied. Only succeeded copies
// count (a copy ADF retried leaves a failed attempt with partial counts). Pure.

export interface AdfCopyTotals {
  /** Copy activity runs that succeeded (one per item of a copy-blobs list). */
  copyActivities: number;
  filesRead: number;
  filesWritten: number;
  /** Files a copy skipped (a source gone, a changed source): their names are in the copy logs. */
  filesSkipped: number;
  dataRead: number;
  dataWritten: number;
  rowsRead: number;
  rowsCopied: number;
  /** The session logs of copies that skipped something (at most MAX_LOG_PATHS): `<container>/<folder>/`. */
  logFilePaths: string[];
}

export const MAX_LOG_PATHS = 100;

export interface ActivityRunSummary {
  activityType?: string;
  status?: string;
  output?: unknown;
}

/** The totals of a run's copies; undefined when it ran no copy. */
export function copyTotals(activityRuns: Iterable<ActivityRunSummary>): AdfCopyTotals | undefined {
  const totals: AdfCopyTotals = {
    copyActivities: 0,
    filesRead: 0,
    filesWritten: 0,
    filesSkipped: 0,
    dataRead: 0,
    dataWritten: 0,
    rowsRead: 0,
    rowsCopied: 0,
    logFilePaths: [],
  };
  for (const run of activityRuns) {
    if (run.activityType !== 'Copy' || run.status !== 'Succeeded') continue;
    const output = (typeof run.output === 'object' && run.output !== null ? run.output : {}) as Record<string, unknown>;
    totals.copyActivities++;
    for (const key of [
      'filesRead',
      'filesWritten',
      'filesSkipped',
      'dataRead',
      'dataWritten',
      'rowsRead',
      'rowsCopied',
    ] as const) {
      const value = output[key];
      if (typeof value === 'number' && Number.isFinite(value)) totals[key] += value;
    }
    const skipped = typeof output.filesSkipped === 'number' && output.filesSkipped > 0;
    if (skipped && typeof output.logFilePath === 'string' && totals.logFilePaths.length < MAX_LOG_PATHS)
      totals.logFilePaths.push(output.logFilePath);
  }
  return totals.copyActivities > 0 ? totals : undefined;
}
