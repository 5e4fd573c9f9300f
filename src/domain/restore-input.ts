// Validation of restoreContainer input that needs no I/O: the workflow rejects bad input before its
// first activity. The run itself (asOf before the first run, unknown run) is checked by the plan.
import {
  booleanProblem,
  connectionNameProblem,
  fieldsOf,
  inputObject,
  objectProblem,
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
  source?: unknown;
  asOf?: unknown;
  run?: unknown;
  prefix?: unknown;
  blobs?: unknown;
  target?: unknown;
  overwrite?: unknown;
  includeDeleted?: unknown;
  dryRun?: unknown;
  verify?: unknown;
  concurrency?: unknown;
  maxConcurrentPages?: unknown;
  maxRequestsPerSecond?: unknown;
  maxPagesPerRun?: unknown;
  largeBlobThresholdBytes?: unknown;
  carry?: unknown;
}

export interface RestoreInputContext {
  /** The workflow's now: `asOf` may not lie after it. */
  nowMs: number;
  /** Continuing as new (the workflow sets `carry` then, and only then). */
  continuedAsNew?: boolean;
}

export function restoreInputProblems(input: unknown, context: RestoreInputContext): InputProblem[] {
  const { fields: f, problems: notAnObject } = inputObject(input);
  if (notAnObject.length) return notAnObject;
  const { problems, check } = problemCollector();
  const source = fieldsOf(f.source);
  const target = fieldsOf(f.target);
  check('backup', f.backup, connectionNameProblem(f.backup));
  if (f.backupContainer !== undefined)
    check('backupContainer', f.backupContainer, containerNameProblem(f.backupContainer));
  check('source', f.source, objectProblem(f.source, true));
  check('source.account', source.account, accountNameProblem(source.account));
  check('source.container', source.container, containerNameProblem(source.container));
  check('source.prefix', source.prefix, blobPrefixProblem(source.prefix));
  check('target', f.target, objectProblem(f.target, true));
  check('target.connection', target.connection, connectionNameProblem(target.connection));
  check('target.container', target.container, containerNameProblem(target.container));
  // Another name for the backup account is caught by the plan, which compares accounts, not names.
  if (target.connection === f.backup && target.container === (f.backupContainer ?? DEFAULT_BACKUP_CONTAINER)) {
    check(
      'target.container',
      target.container,
      'is the backup container itself: restore into the source container or another one',
    );
  }
  const asOf = typeof f.asOf === 'string' ? Date.parse(f.asOf) : NaN;
  if (f.asOf !== undefined && Number.isNaN(asOf)) check('asOf', f.asOf, 'must be an ISO 8601 time');
  else if (asOf > context.nowMs)
    check('asOf', f.asOf, `is in the future (now is ${new Date(context.nowMs).toISOString()}): no backup holds it yet`);
  if (f.run !== undefined && (typeof f.run !== 'string' || f.run === '')) check('run', f.run, 'must be a run key');
  if (f.asOf !== undefined && f.run !== undefined) check('run', f.run, 'and asOf are exclusive');
  check('prefix', f.prefix, blobPrefixProblem(f.prefix));
  check('blobs', f.blobs, blobsProblem(f.blobs));
  if (f.prefix !== undefined && f.blobs !== undefined) check('blobs', f.blobs, 'and prefix are exclusive');
  check('overwrite', f.overwrite, oneOfProblem(f.overwrite, OVERWRITE_POLICIES));
  check('verify', f.verify, oneOfProblem(f.verify, RESTORE_VERIFY_MODES));
  check('includeDeleted', f.includeDeleted, booleanProblem(f.includeDeleted));
  check('dryRun', f.dryRun, booleanProblem(f.dryRun));
  check('concurrency', f.concurrency, positiveIntProblem(f.concurrency, 1000));
  check('maxConcurrentPages', f.maxConcurrentPages, positiveIntProblem(f.maxConcurrentPages, 100));
  check('maxRequestsPerSecond', f.maxRequestsPerSecond, positiveIntProblem(f.maxRequestsPerSecond, 1_000_000));
  check('maxPagesPerRun', f.maxPagesPerRun, positiveIntProblem(f.maxPagesPerRun, 10_000));
  check(
    'largeBlobThresholdBytes',
    f.largeBlobThresholdBytes,
    positiveIntProblem(f.largeBlobThresholdBytes, Number.MAX_SAFE_INTEGER),
  );
  if (f.carry !== undefined && !context.continuedAsNew)
    check('carry', '(a carry)', 'is set by the workflow itself when it continues as new: leave it out of a start');
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
