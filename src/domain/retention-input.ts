// Validation of applyRetention input that needs no I/O: bad counts and durations fail before anything
// is read, let alone deleted.
import { MIN_ABANDONED_AFTER_MS, MIN_GRACE_PERIOD_MS } from './defaults';
import {
  booleanProblem,
  connectionNameProblem,
  fieldsOf,
  inputObject,
  intRangeProblem,
  objectProblem,
  problemCollector,
  type InputProblem,
} from './input-problems';
import { containerNameProblem } from './blob-names';
import { isEmptyPolicy, parseDuration, type RetentionPolicy } from './retention-policy';
import { accountNameProblem } from './restore-input';

export interface RetentionFields {
  backup?: unknown;
  backupContainer?: unknown;
  source?: unknown;
  policy?: unknown;
  sourceSnapshots?: unknown;
  gracePeriodMs?: unknown;
  abandonedAfterMs?: unknown;
  maxReferencesInMemory?: unknown;
  dryRun?: unknown;
}

const COUNTS = ['keepLast', 'keepHourly', 'keepDaily', 'keepWeekly', 'keepMonthly', 'keepYearly'] as const;

export function retentionInputProblems(input: unknown): InputProblem[] {
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
  check('policy', f.policy, objectProblem(f.policy, true));
  const policy = fieldsOf(f.policy);
  if (typeof f.policy === 'object' && f.policy !== null && !Array.isArray(f.policy)) {
    for (const field of COUNTS) check(`policy.${field}`, policy[field], countProblem(policy[field]));
    if (policy.keepWithin !== undefined) {
      try {
        parseDuration(String(policy.keepWithin));
      } catch {
        check('policy.keepWithin', policy.keepWithin, 'must be a duration like 30d, 12h or 1y6m');
      }
    }
    if (problems.length === 0 && isEmptyPolicy(policy as RetentionPolicy))
      check(
        'policy',
        policy,
        'keeps nothing explicitly (no count above 0, no keepWithin of any length): give at least one keep rule ' +
          '(an empty policy never deletes)',
      );
  }
  check('sourceSnapshots', f.sourceSnapshots, objectProblem(f.sourceSnapshots, false));
  if (f.sourceSnapshots !== undefined) {
    const snaps = fieldsOf(f.sourceSnapshots);
    check('sourceSnapshots.source', snaps.source, connectionNameProblem(snaps.source));
    check('sourceSnapshots.maxAgeDays', snaps.maxAgeDays, countProblem(snaps.maxAgeDays));
    check('sourceSnapshots.keepNewest', snaps.keepNewest, countProblem(snaps.keepNewest));
    if (snaps.maxAgeDays === undefined && snaps.keepNewest === undefined)
      check('sourceSnapshots', f.sourceSnapshots, 'needs maxAgeDays or keepNewest');
  }
  check(
    'gracePeriodMs',
    f.gracePeriodMs,
    intRangeProblem(
      f.gracePeriodMs,
      MIN_GRACE_PERIOD_MS,
      Number.MAX_SAFE_INTEGER,
      ' ms (the wait between mark and sweep)',
    ),
  );
  check(
    'abandonedAfterMs',
    f.abandonedAfterMs,
    intRangeProblem(
      f.abandonedAfterMs,
      MIN_ABANDONED_AFTER_MS,
      Number.MAX_SAFE_INTEGER,
      ' ms: a shorter wait would take a live backup, silent while it copies one large blob, for abandoned',
    ),
  );
  const refs = f.maxReferencesInMemory;
  if (refs !== undefined && (!Number.isInteger(refs) || (refs as number) < 1))
    check('maxReferencesInMemory', refs, 'must be a whole number, 1 or more');
  check('dryRun', f.dryRun, booleanProblem(f.dryRun));
  return problems;
}

function countProblem(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) return 'must be a whole number, 0 or more';
  return undefined;
}
