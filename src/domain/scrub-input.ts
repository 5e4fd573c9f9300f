// Validation of scrubBackup input that needs no I/O.
import { containerNameProblem } from './blob-names';
import {
  connectionNameProblem,
  fieldsOf,
  inputObject,
  objectProblem,
  positiveIntProblem,
  problemCollector,
  type InputProblem,
} from './input-problems';
import { accountNameProblem } from './restore-input';

export function scrubInputProblems(input: unknown, origin: { continuedAsNew: boolean }): InputProblem[] {
  const { fields: f, problems: notAnObject } = inputObject(input);
  if (notAnObject.length) return notAnObject;
  const { problems, check } = problemCollector();
  const source = fieldsOf(f.source);
  check('backup', f.backup, connectionNameProblem(f.backup));
  if (f.backupContainer !== undefined)
    check('backupContainer', f.backupContainer, containerNameProblem(f.backupContainer));
  check('source', f.source, objectProblem(f.source, true));
  check('source.account', source.account, accountNameProblem(source.account));
  check('source.container', source.container, containerNameProblem(source.container));
  if (f.run !== undefined && (typeof f.run !== 'string' || f.run === '')) check('run', f.run, 'must be a run key');
  if (f.asOf !== undefined && (typeof f.asOf !== 'string' || Number.isNaN(Date.parse(f.asOf))))
    check('asOf', f.asOf, 'must be an ISO 8601 time');
  if (f.asOf !== undefined && f.run !== undefined) check('run', f.run, 'and asOf are exclusive');
  check('concurrency', f.concurrency, positiveIntProblem(f.concurrency, 1000));
  check('maxConcurrentPages', f.maxConcurrentPages, positiveIntProblem(f.maxConcurrentPages, 100));
  check('maxRequestsPerSecond', f.maxRequestsPerSecond, positiveIntProblem(f.maxRequestsPerSecond, 1_000_000));
  check('maxPagesPerRun', f.maxPagesPerRun, positiveIntProblem(f.maxPagesPerRun, 10_000));
  if (f.carry !== undefined && !origin.continuedAsNew)
    check('carry', '(a carry)', 'is set by the workflow itself when it continues as new: leave it out of a start');
  return problems;
}
