// Validation of restoreContainer input that needs no I/O: the workflow rejects bad input before its
// first activity. The run itself (asOf before the first run, unknown run) is checked by the plan.
import {
  booleanProblem,
  connectionNameProblem,
  oneOfProblem,
  positiveIntProblem,
  problemCollector,
  type InputProblem,
} from './input-problems';
import { blobPrefixProblem, containerNameProblem, MAX_BLOB_NAME_LENGTH } from './blob-names';
import { OVERWRITE_POLICIES, RESTORE_VERIFY_MODES } from './choices';
import { DEFAULT_BACKUP_CONTAINER, MAX_RESTORE_BLOBS } from './defaults';

export interface RestoreFields {
  backup?: unknown;
  backupContainer?: unknown;
  source?: { account?: unknown; container?: unknown; prefix?: unknown };
  asOf?: unknown;
  run?: unknown;
  prefix?: unknown;
  blobs?: unknown;
  target?: { connection?: unknown; container?: unknown };
  overwrite?: unknown;
  includeDeleted?: unknown;
  dryRun?: unknown;
  verify?: unknown;
  concurrency?: unknown;
  maxConcurrentPages?: unknown;
  maxRequestsPerSecond?: unknown;
}

export function restoreInputProblems(input: RestoreFields): InputProblem[] {
  const { problems, check } = problemCollector();
  check('backup', input.backup, connectionNameProblem(input.backup));
  if (input.backupContainer !== undefined)
    check('backupContainer', input.backupContainer, containerNameProblem(input.backupContainer));
  check('source.account', input.source?.account, accountNameProblem(input.source?.account));
  check('source.container', input.source?.container, containerNameProblem(input.source?.container));
  check('source.prefix', input.source?.prefix, blobPrefixProblem(input.source?.prefix));
  check('target.connection', input.target?.connection, connectionNameProblem(input.target?.connection));
  check('target.container', input.target?.container, containerNameProblem(input.target?.container));
  if (
    input.target?.connection === input.backup &&
    input.target?.container === (input.backupContainer ?? DEFAULT_BACKUP_CONTAINER)
  ) {
    check(
      'target.container',
      input.target?.container,
      'is the backup container itself: restore into the source container or another one',
    );
  }
  if (input.asOf !== undefined && (typeof input.asOf !== 'string' || Number.isNaN(Date.parse(input.asOf))))
    check('asOf', input.asOf, 'must be an ISO 8601 time');
  if (input.run !== undefined && (typeof input.run !== 'string' || input.run === ''))
    check('run', input.run, 'must be a run key');
  if (input.asOf !== undefined && input.run !== undefined) check('run', input.run, 'and asOf are exclusive');
  check('prefix', input.prefix, blobPrefixProblem(input.prefix));
  check('blobs', input.blobs, blobsProblem(input.blobs));
  if (input.prefix !== undefined && input.blobs !== undefined) check('blobs', input.blobs, 'and prefix are exclusive');
  check('overwrite', input.overwrite, oneOfProblem(input.overwrite, OVERWRITE_POLICIES));
  check('verify', input.verify, oneOfProblem(input.verify, RESTORE_VERIFY_MODES));
  check('includeDeleted', input.includeDeleted, booleanProblem(input.includeDeleted));
  check('dryRun', input.dryRun, booleanProblem(input.dryRun));
  check('concurrency', input.concurrency, positiveIntProblem(input.concurrency, 1000));
  check('maxConcurrentPages', input.maxConcurrentPages, positiveIntProblem(input.maxConcurrentPages, 100));
  check('maxRequestsPerSecond', input.maxRequestsPerSecond, positiveIntProblem(input.maxRequestsPerSecond, 1_000_000));
  return problems;
}

/** Storage account names: 3-24 lowercase letters and digits (Azurite's local names fit too). */
export function accountNameProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '') return 'is required: the storage account name the backup recorded';
  if (!/^[a-z0-9]{3,24}$/.test(value)) return 'must be a storage account name (3-24 lowercase letters and digits)';
  return undefined;
}

function blobsProblem(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_RESTORE_BLOBS)
    return `must be a list of 1 to ${MAX_RESTORE_BLOBS} blob names (use prefix for more)`;
  const bad = value.find((v) => typeof v !== 'string' || v === '' || v.length > MAX_BLOB_NAME_LENGTH);
  return bad === undefined ? undefined : `contains ${JSON.stringify(bad)}, which is not a blob name`;
}
