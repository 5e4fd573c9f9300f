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
}

export const MAX_PAGE_SIZE = 5000;

export function backupContainerInputProblems(input: BackupContainerFields): InputProblem[] {
  const problems: InputProblem[] = [];
  const check = (field: string, value: unknown, message: string | undefined) => {
    if (message) problems.push({ field, value, message });
  };
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
  return problems;
}

export function formatProblems(problems: InputProblem[]): string {
  return problems.map((p) => `${p.field} ${p.message} (got ${JSON.stringify(p.value)})`).join('; ');
}

function connectionNameProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0)
    return 'is required: the name of a connection in the worker config';
  if (!CONNECTION_NAME.test(value)) return 'must be a connection name (lowercase letters, digits, dashes)';
  return undefined;
}

function positiveIntProblem(value: unknown, max: number): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0 || value > max) {
    return `must be a whole number from 1 to ${max}`;
  }
  return undefined;
}
