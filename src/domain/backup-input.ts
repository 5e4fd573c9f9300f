// Validation of a backupContainer input that needs no I/O, so the workflow can reject bad input
// deterministically before its first activity. Connection names are checked by the worker.
import { blobPrefixProblem, containerNameProblem } from './blob-names';
import { BACKUP_MODES, VERIFY_MODES } from './choices';
import { MAX_PAGE_SIZE } from './defaults';
import {
  booleanProblem,
  connectionNameProblem,
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
}

export function backupContainerInputProblems(input: BackupContainerFields): InputProblem[] {
  const { problems, check } = problemCollector();
  check('source', input.source, connectionNameProblem(input.source));
  check('backup', input.backup, connectionNameProblem(input.backup));
  check('container', input.container, containerNameProblem(input.container));
  check('prefix', input.prefix, blobPrefixProblem(input.prefix));
  if (input.backupContainer !== undefined) {
    check('backupContainer', input.backupContainer, containerNameProblem(input.backupContainer));
  }
  check('concurrency', input.concurrency, positiveIntProblem(input.concurrency, 1000));
  check('pageSize', input.pageSize, positiveIntProblem(input.pageSize, MAX_PAGE_SIZE));
  check('maxPagesPerRun', input.maxPagesPerRun, positiveIntProblem(input.maxPagesPerRun, 10_000));
  check('maxConcurrentPages', input.maxConcurrentPages, positiveIntProblem(input.maxConcurrentPages, 100));
  check('maxRequestsPerSecond', input.maxRequestsPerSecond, positiveIntProblem(input.maxRequestsPerSecond, 1_000_000));
  check(
    'largeBlobThresholdBytes',
    input.largeBlobThresholdBytes,
    positiveIntProblem(input.largeBlobThresholdBytes, Number.MAX_SAFE_INTEGER),
  );
  check('mode', input.mode, oneOfProblem(input.mode, BACKUP_MODES));
  check('verify', input.verify, oneOfProblem(input.verify, VERIFY_MODES));
  check('snapshot', input.snapshot, booleanProblem(input.snapshot));
  check('leaseMode', input.leaseMode, booleanProblem(input.leaseMode));
  return problems;
}
