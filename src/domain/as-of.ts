// Point-in-time resolution. Every committed run's catalog is the full state of its scope, so "the state
// as of T" is the newest run started at or before T, and an item's version as of T is that run's record.
import { isTombstone, type CatalogEntry, type CatalogRecord } from './catalog-record';
import type { InputProblem } from './input-problems';

export interface RunRef {
  runKey: string;
  startedAt: string;
  verified: boolean;
}

export interface RunSelector {
  /** A committed run's key. */
  run?: string;
  /** ISO time: the newest run started at or before it. */
  asOf?: string;
}

/** The run a restore reads: `run`, else the newest at or before `asOf`, else the newest verified run. */
export function resolveRun<R extends RunRef>(runs: R[], selector: RunSelector): R | InputProblem {
  const sorted = [...runs].sort((a, b) => (a.runKey < b.runKey ? -1 : 1));
  if (sorted.length === 0) {
    return { field: 'source', value: undefined, message: 'has no committed backup run in this backup container' };
  }
  const span = `runs go from ${sorted[0]!.startedAt} to ${sorted.at(-1)!.startedAt}`;
  if (selector.run !== undefined) {
    const found = sorted.find((r) => r.runKey === selector.run);
    return found ?? { field: 'run', value: selector.run, message: `is not a committed run of this source (${span})` };
  }
  if (selector.asOf !== undefined) {
    const t = Date.parse(selector.asOf);
    if (Number.isNaN(t)) return { field: 'asOf', value: selector.asOf, message: 'must be an ISO 8601 time' };
    const found = sorted.filter((r) => Date.parse(r.startedAt) <= t).at(-1);
    return found ?? { field: 'asOf', value: selector.asOf, message: `is before the first backup run (${span})` };
  }
  const verified = sorted.filter((r) => r.verified).at(-1);
  return (
    verified ?? {
      field: 'asOf',
      value: undefined,
      message: `defaults to the latest verified run, and none is (${span})`,
    }
  );
}

export function isProblem(value: unknown): value is InputProblem {
  return typeof value === 'object' && value !== null && 'field' in value && 'message' in value;
}

/** The version to restore for a record: live entries always, deleted ones only when asked for. */
export function versionToRestore(record: CatalogRecord, includeDeleted: boolean): CatalogEntry | undefined {
  if (!isTombstone(record)) return record;
  return includeDeleted ? record.last : undefined;
}
