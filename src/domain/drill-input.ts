// Validation of restoreDrill input that needs no I/O. Which existing container the scratch container
// must not be (the backup, the source, anyone's) needs I/O: the drill's first activity checks that.
import { containerNameProblem } from './blob-names';
import { MAX_RESTORE_BLOBS } from './defaults';
import { connectionNameProblem, positiveIntProblem, problemCollector, type InputProblem } from './input-problems';

export interface DrillFields {
  backup?: unknown;
  source?: { container?: unknown };
  sample?: { count?: unknown; percent?: unknown };
  scratch?: { connection?: unknown; container?: unknown };
  liveSource?: unknown;
}

export function drillInputProblems(input: DrillFields): InputProblem[] {
  const { problems, check } = problemCollector();
  check('backup', input.backup, connectionNameProblem(input.backup));
  check('source.container', input.source?.container, containerNameProblem(input.source?.container));
  const { count, percent } = input.sample ?? {};
  check('sample.count', count, positiveIntProblem(count, MAX_RESTORE_BLOBS));
  if (percent !== undefined && (typeof percent !== 'number' || !(percent > 0 && percent <= 100)))
    check('sample.percent', percent, 'must be more than 0 and at most 100');
  if (input.scratch !== undefined)
    check('scratch.connection', input.scratch.connection, connectionNameProblem(input.scratch.connection));
  if (input.scratch?.container !== undefined)
    check('scratch.container', input.scratch.container, containerNameProblem(input.scratch.container));
  if (input.liveSource !== undefined) check('liveSource', input.liveSource, connectionNameProblem(input.liveSource));
  return problems;
}
