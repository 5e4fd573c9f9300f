// Validation of applyRetention input that needs no I/O: bad counts and durations fail before anything
// is read, let alone deleted.
import { connectionNameProblem, problemCollector, type InputProblem } from './input-problems';
import { containerNameProblem } from './blob-names';
import { isEmptyPolicy, parseDuration, type RetentionPolicy } from './retention-policy';
import { accountNameProblem } from './restore-input';

export interface RetentionFields {
  backup?: unknown;
  backupContainer?: unknown;
  source?: { account?: unknown; container?: unknown };
  policy?: RetentionPolicy;
  sourceSnapshots?: { source?: unknown; maxAgeDays?: unknown; keepNewest?: unknown };
  gracePeriodMs?: unknown;
  abandonedAfterMs?: unknown;
  maxReferencesInMemory?: unknown;
}

const COUNTS = ['keepLast', 'keepHourly', 'keepDaily', 'keepWeekly', 'keepMonthly', 'keepYearly'] as const;

export function retentionInputProblems(input: RetentionFields): InputProblem[] {
  const { problems, check } = problemCollector();
  check('backup', input.backup, connectionNameProblem(input.backup));
  if (input.backupContainer !== undefined)
    check('backupContainer', input.backupContainer, containerNameProblem(input.backupContainer));
  check('source.account', input.source?.account, accountNameProblem(input.source?.account));
  check('source.container', input.source?.container, containerNameProblem(input.source?.container));
  const policy = input.policy;
  if (typeof policy !== 'object' || policy === null) {
    check('policy', policy, 'is required');
  } else {
    for (const field of COUNTS) check(`policy.${field}`, policy[field], countProblem(policy[field]));
    if (policy.keepWithin !== undefined) {
      try {
        parseDuration(String(policy.keepWithin));
      } catch {
        check('policy.keepWithin', policy.keepWithin, 'must be a duration like 30d, 12h or 1y6m');
      }
    }
    if (problems.length === 0 && isEmptyPolicy(policy))
      check('policy', policy, 'keeps nothing explicitly: give at least one keep rule (an empty policy never deletes)');
  }
  const snaps = input.sourceSnapshots;
  if (snaps !== undefined) {
    check('sourceSnapshots.source', snaps.source, connectionNameProblem(snaps.source));
    check('sourceSnapshots.maxAgeDays', snaps.maxAgeDays, countProblem(snaps.maxAgeDays));
    check('sourceSnapshots.keepNewest', snaps.keepNewest, countProblem(snaps.keepNewest));
    if (snaps.maxAgeDays === undefined && snaps.keepNewest === undefined)
      check('sourceSnapshots', snaps, 'needs maxAgeDays or keepNewest');
  }
  check('gracePeriodMs', input.gracePeriodMs, countProblem(input.gracePeriodMs));
  const refs = input.maxReferencesInMemory;
  if (refs !== undefined && (!Number.isInteger(refs) || (refs as number) < 1))
    check('maxReferencesInMemory', refs, 'must be a whole number, 1 or more');
  check('abandonedAfterMs', input.abandonedAfterMs, countProblem(input.abandonedAfterMs));
  return problems;
}

function countProblem(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) return 'must be a whole number, 0 or more';
  return undefined;
}
