// Validation of a backupContainer input that needs no I/O, so the workflow can reject bad input
// deterministically before its first activity. Connection names are checked by the worker.
import { blobPrefixProblem, containerNameProblem } from './blob-names';
import { BACKUP_MODES, MOVERS, VERIFY_MODES } from './choices';
import { MAX_PAGE_SIZE } from './defaults';
import {
  booleanProblem,
  connectionNameProblem,
  inputObject,
  intRangeProblem,
  oneOfProblem,
  positiveIntProblem,
  problemCollector,
  type InputProblem,
} from './input-problems';

export interface BackupContainerFields {
  source: unknown;
  container: unknown;
  prefix?: unknown;
  backup: unknown;
  backupContainer?: unknown;
  concurrency?: unknown;
  pageSize?: unknown;
  maxPagesPerRun?: unknown;
  mode?: unknown;
  verify?: unknown;
  snapshot?: unknown;
  leaseMode?: unknown;
  maxRequestsPerSecond?: unknown;
  largeBlobThresholdBytes?: unknown;
  maxConcurrentPages?: unknown;
  blockBytes?: unknown;
  reconcile?: unknown;
  carry?: unknown;
  adf?: unknown;
  mover?: unknown;
  adfThresholdBytes?: unknown;
  adfPollEveryMs?: unknown;
}

/** Where the input comes from: a caller's start, or the workflow continuing as new (which sets `carry`). */
export interface InputOrigin {
  continuedAsNew: boolean;
}

/** Smallest block of the ranged copy path (tests use small blocks); the largest is the service's. */
export const MIN_BLOCK_BYTES = 1024;
export const MAX_BLOCK_BYTES = 4000 * 1024 * 1024;

export function backupContainerInputProblems(
  input: unknown,
  origin: InputOrigin = { continuedAsNew: false },
): InputProblem[] {
  const { fields: f, problems: notAnObject } = inputObject(input);
  if (notAnObject.length) return notAnObject;
  const { problems, check } = problemCollector();
  check('source', f.source, connectionNameProblem(f.source));
  check('backup', f.backup, connectionNameProblem(f.backup));
  check('container', f.container, containerNameProblem(f.container));
  check('prefix', f.prefix, blobPrefixProblem(f.prefix));
  if (f.backupContainer !== undefined) {
    check('backupContainer', f.backupContainer, containerNameProblem(f.backupContainer));
  }
  check('concurrency', f.concurrency, positiveIntProblem(f.concurrency, 1000));
  check('pageSize', f.pageSize, positiveIntProblem(f.pageSize, MAX_PAGE_SIZE));
  check('maxPagesPerRun', f.maxPagesPerRun, positiveIntProblem(f.maxPagesPerRun, 10_000));
  check('maxConcurrentPages', f.maxConcurrentPages, positiveIntProblem(f.maxConcurrentPages, 100));
  check('maxRequestsPerSecond', f.maxRequestsPerSecond, positiveIntProblem(f.maxRequestsPerSecond, 1_000_000));
  check(
    'largeBlobThresholdBytes',
    f.largeBlobThresholdBytes,
    positiveIntProblem(f.largeBlobThresholdBytes, Number.MAX_SAFE_INTEGER),
  );
  check('blockBytes', f.blockBytes, intRangeProblem(f.blockBytes, MIN_BLOCK_BYTES, MAX_BLOCK_BYTES, ' bytes'));
  check('mode', f.mode, oneOfProblem(f.mode, BACKUP_MODES));
  check('verify', f.verify, oneOfProblem(f.verify, VERIFY_MODES));
  check('snapshot', f.snapshot, booleanProblem(f.snapshot));
  check('leaseMode', f.leaseMode, booleanProblem(f.leaseMode));
  check('reconcile', f.reconcile, booleanProblem(f.reconcile));
  adfProblems(f, check);
  if (f.carry !== undefined && !origin.continuedAsNew) {
    check('carry', '(a carry)', 'is set by the workflow itself when it continues as new: leave it out of a start');
  }
  return problems;
}

/** Data Factory as the mover: a factory named, a mover and threshold that need one, no lease mode. */
function adfProblems(
  f: Record<string, unknown>,
  check: (field: string, value: unknown, message: string | undefined) => void,
) {
  if (f.adf !== undefined) check('adf', f.adf, connectionNameProblem(f.adf));
  check('mover', f.mover, oneOfProblem(f.mover, MOVERS));
  check('adfThresholdBytes', f.adfThresholdBytes, intRangeProblem(f.adfThresholdBytes, 0, Number.MAX_SAFE_INTEGER));
  check('adfPollEveryMs', f.adfPollEveryMs, intRangeProblem(f.adfPollEveryMs, 100, 600_000, ' ms'));
  if (f.adf === undefined) {
    const needsAdf = "needs adf: the name of the adf connection (a factory with azbackup's pipelines deployed)";
    if (f.mover === 'adf') check('mover', f.mover, needsAdf);
    if (f.adfThresholdBytes !== undefined) check('adfThresholdBytes', f.adfThresholdBytes, needsAdf);
  } else if (f.leaseMode === true) {
    check(
      'leaseMode',
      f.leaseMode,
      'cannot be used with adf: Data Factory copies without the lease the worker holds; leave one of them out',
    );
  }
}

/** A reconcile is an incremental backup that redoes and rechecks: it takes the same input, less these. */
export function reconcileInputProblems(input: unknown): InputProblem[] {
  const { fields, problems: notAnObject } = inputObject(input);
  if (notAnObject.length) return notAnObject;
  const problems = backupContainerInputProblems(input);
  for (const field of ['mode', 'reconcile', 'carry'] as const)
    if (fields[field] !== undefined)
      problems.push({
        field,
        value: fields[field],
        message: 'is not an input of a reconcile (it is always incremental)',
      });
  return problems;
}
