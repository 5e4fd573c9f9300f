// Validation of restoreDrill input that needs no I/O. Which existing container the scratch container
// must not be (the backup, the source, anyone's) needs I/O: the drill's first activity checks that.
import { containerNameProblem } from './blob-names';
import { MAX_RESTORE_BLOBS } from './defaults';
import {
  booleanProblem,
  connectionNameProblem,
  fieldsOf,
  inputObject,
  objectProblem,
  positiveIntProblem,
  problemCollector,
  type InputProblem,
} from './input-problems';
import { accountNameProblem } from './restore-input';

export function drillInputProblems(input: unknown): InputProblem[] {
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
  check('sample', f.sample, objectProblem(f.sample, false));
  const { count, percent, seed } = fieldsOf(f.sample);
  check('sample.count', count, positiveIntProblem(count, MAX_RESTORE_BLOBS));
  if (percent !== undefined && (typeof percent !== 'number' || !(percent > 0 && percent <= 100)))
    check('sample.percent', percent, 'must be more than 0 and at most 100');
  if (seed !== undefined && (typeof seed !== 'number' || !Number.isInteger(seed)))
    check('sample.seed', seed, 'must be a whole number');
  check('scratch', f.scratch, objectProblem(f.scratch, false));
  if (f.scratch !== undefined) {
    const scratch = fieldsOf(f.scratch);
    check('scratch.connection', scratch.connection, connectionNameProblem(scratch.connection));
    if (scratch.container !== undefined)
      check('scratch.container', scratch.container, containerNameProblem(scratch.container));
  }
  if (f.liveSource !== undefined) check('liveSource', f.liveSource, connectionNameProblem(f.liveSource));
  check('keepScratch', f.keepScratch, booleanProblem(f.keepScratch));
  return problems;
}
