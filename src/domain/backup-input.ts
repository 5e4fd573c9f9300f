// Validation of a backupContainer input that needs no I/O, so the workflow can reject bad input
// deterministically before its first activity. Connection names are checked by the worker.
import { CONNECTION_NAME } from './connection-name';
import { blobPrefixProblem, containerNameProblem } from './blob-names';

export interface InputProblem {
  field: string;
  value: unknown;
  message: string;
}

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

export const MAX_PAGE_SIZE = 5000;

/** Collects problems: `check(field, value, message)` records one when `message` is set. */
export function problemCollector(): {
  problems: InputProblem[];
  check: (field: string, value: unknown, message: string | undefined) => void;
} {
  const problems: InputProblem[] = [];
  const check = (field: string, value: unknown, message: string | undefined) => {
    if (message) problems.push({ field, value, message });
  };
  return { problems, check };
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
  check('mode', input.mode, oneOfProblem(input.mode, ['incremental', 'full']));
  check('verify', input.verify, oneOfProblem(input.verify, ['md5', 'deep', 'none']));
  check('snapshot', input.snapshot, booleanProblem(input.snapshot));
  check('leaseMode', input.leaseMode, booleanProblem(input.leaseMode));
  return problems;
}

export function formatProblems(problems: InputProblem[]): string {
  return problems.map((p) => `${p.field} ${p.message} (got ${JSON.stringify(p.value)})`).join('; ');
}

export function connectionNameProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0)
    return 'is required: the name of a connection in the worker config';
  if (!CONNECTION_NAME.test(value)) return 'must be a connection name (lowercase letters, digits, dashes)';
  return undefined;
}

export function positiveIntProblem(value: unknown, max: number): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0 || value > max) {
    return `must be a whole number from 1 to ${max}`;
  }
  return undefined;
}

export function oneOfProblem(value: unknown, allowed: string[]): string | undefined {
  if (value === undefined || allowed.includes(value as string)) return undefined;
  return `must be one of ${allowed.map((a) => `'${a}'`).join(', ')}`;
}

export function booleanProblem(value: unknown): string | undefined {
  return value === undefined || typeof value === 'boolean' ? undefined : 'must be true or false';
}
