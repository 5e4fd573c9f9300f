// Validation of windowed export and restore input (Cosmos DB, Mongo) that needs no I/O: what the source
// and target are called (each API's naming rules), the mode and what it needs, times, windows, and the
// chain (compression, key name). Unknown databases, containers and key names are the worker's to find.
import { containerNameProblem } from './blob-names';
import { KEY_NAME } from './connection-name';
import { COMPRESSIONS, EXPORT_INPUT_MODES, type DocumentKind } from './export-manifest';
import {
  booleanProblem,
  connectionNameProblem,
  fieldsOf,
  inputObject,
  intRangeProblem,
  objectProblem,
  oneOfProblem,
  positiveIntProblem,
  problemCollector,
  type InputProblem,
} from './input-problems';
import { MAX_SETTLE_SECONDS, MAX_WINDOW_SECONDS, parseIsoTimeMs } from './time-windows';

/** Cosmos DB ids: 1-255 characters, none of / \ # ?, no trailing space. Mongo: no / \ . " $ space, at most 63. */
export function documentNameProblem(
  kind: DocumentKind,
  what: 'database' | 'container',
  value: unknown,
): string | undefined {
  if (typeof value !== 'string' || value === '') return 'is required';
  if (kind === 'cosmos-sql') {
    if (value.length > 255) return `must be at most 255 characters (has ${value.length})`;
    if (/[/\\#?]/.test(value) || value.endsWith(' ')) return 'may not contain / \\ # ? or end with a space';
    return undefined;
  }
  if (what === 'database') {
    if (value.length > 63) return `must be at most 63 characters (has ${value.length})`;
    if (/[/\\. "$\0]/.test(value)) return 'may not contain / \\ . " $ or spaces';
    return undefined;
  }
  if (value.includes('$') || value.includes('\0')) return 'may not contain $';
  if (value.startsWith('system.')) return 'may not start with system.';
  return undefined;
}

export interface WindowedFieldsContext {
  kind: DocumentKind;
  nowMs: number;
  continuedAsNew: boolean;
}

/** Everything but the source's own fields (each API names those its own way: cosmos/container, mongo/collection). */
export function windowedBackupProblems(f: Record<string, unknown>, context: WindowedFieldsContext): InputProblem[] {
  const { problems, check } = problemCollector();
  const mode = f.mode ?? 'export';
  check('mode', f.mode, oneOfProblem(f.mode, EXPORT_INPUT_MODES));
  if (mode === 'adf') check('adf', f.adf, connectionNameProblem(f.adf));
  else if (f.adf !== undefined) check('adf', f.adf, "is for mode 'adf' only");
  check('adfPollEveryMs', f.adfPollEveryMs, intRangeProblem(f.adfPollEveryMs, 100, 600_000, ' ms'));
  if (mode !== 'replica' || f.backup !== undefined) check('backup', f.backup, connectionNameProblem(f.backup));
  if (f.backupContainer !== undefined)
    check('backupContainer', f.backupContainer, containerNameProblem(f.backupContainer));
  if (mode === 'replica') {
    check('target', f.target, objectProblem(f.target, true));
    const target = fieldsOf(f.target);
    check('target.connection', target.connection, connectionNameProblem(target.connection));
    check('target.database', target.database, documentNameProblem(context.kind, 'database', target.database));
    check('target.container', target.container, documentNameProblem(context.kind, 'container', target.container));
  } else if (f.target !== undefined) check('target', '(a target)', `is for mode 'replica' only`);
  const from = timeProblem('from', f.from, check);
  const to = timeProblem('to', f.to, check);
  if (from !== undefined && to !== undefined && from >= to) check('from', f.from, `must be before to (${f.to})`);
  if (to !== undefined && to > context.nowMs) check('to', f.to, 'is in the future');
  check('windowSeconds', f.windowSeconds, positiveIntProblem(f.windowSeconds, MAX_WINDOW_SECONDS));
  check('settleSeconds', f.settleSeconds, intRangeProblem(f.settleSeconds, 0, MAX_SETTLE_SECONDS, ' seconds'));
  check('compression', f.compression, oneOfProblem(f.compression, COMPRESSIONS));
  check('gzipLevel', f.gzipLevel, intRangeProblem(f.gzipLevel, 1, 9));
  if (f.gzipLevel !== undefined && f.compression === 'none')
    check('gzipLevel', f.gzipLevel, "needs compression 'gzip'");
  if (f.encryptionKey !== undefined && (typeof f.encryptionKey !== 'string' || !KEY_NAME.test(f.encryptionKey)))
    check('encryptionKey', '(a value)', "must be a key's name from the worker's config (never the key itself)");
  if (f.encryptionKey !== undefined && mode === 'replica')
    check('encryptionKey', f.encryptionKey, 'is for exports only');
  check('maxConcurrentWindows', f.maxConcurrentWindows, positiveIntProblem(f.maxConcurrentWindows, 100));
  check('maxWindowsPerRun', f.maxWindowsPerRun, positiveIntProblem(f.maxWindowsPerRun, 10_000));
  if (f.carry !== undefined && !context.continuedAsNew)
    check('carry', '(a carry)', 'is set by the workflow itself when it continues as new: leave it out of a start');
  return problems;
}

export function windowedRestoreProblems(f: Record<string, unknown>, context: WindowedFieldsContext): InputProblem[] {
  const { problems, check } = problemCollector();
  check('backup', f.backup, connectionNameProblem(f.backup));
  if (f.backupContainer !== undefined)
    check('backupContainer', f.backupContainer, containerNameProblem(f.backupContainer));
  check('target', f.target, objectProblem(f.target, true));
  const target = fieldsOf(f.target);
  check('target.connection', target.connection, connectionNameProblem(target.connection));
  check('target.database', target.database, documentNameProblem(context.kind, 'database', target.database));
  check('target.container', target.container, documentNameProblem(context.kind, 'container', target.container));
  const asOf = timeProblem('asOf', f.asOf, check);
  if (asOf !== undefined && asOf > context.nowMs) check('asOf', f.asOf, 'is in the future: no export holds it yet');
  check('allowSourceTarget', f.allowSourceTarget, booleanProblem(f.allowSourceTarget));
  check('dryRun', f.dryRun, booleanProblem(f.dryRun));
  check('maxWindowsPerRun', f.maxWindowsPerRun, positiveIntProblem(f.maxWindowsPerRun, 10_000));
  if (f.carry !== undefined && !context.continuedAsNew)
    check('carry', '(a carry)', 'is set by the workflow itself when it continues as new: leave it out of a start');
  return problems;
}

function timeProblem(
  field: string,
  value: unknown,
  check: (field: string, value: unknown, message: string | undefined) => void,
): number | undefined {
  if (value === undefined) return undefined;
  const ms = typeof value === 'string' ? parseIsoTimeMs(value) : undefined;
  if (ms === undefined) check(field, value, 'must be an ISO 8601 time with a zone, e.g. 2026-11-30T12:00:00Z');
  return ms;
}

/** How one document API names its source fields in a workflow's input. */
export interface SourceFieldNames {
  connection: string;
  container: string;
}

/** All problems of a windowed export input, its source fields named as the API names them. */
export function documentBackupProblems(
  input: unknown,
  names: SourceFieldNames,
  context: WindowedFieldsContext,
): InputProblem[] {
  const { fields, problems } = inputObject(input);
  if (problems.length) return problems;
  const { problems: own, check } = problemCollector();
  check(names.connection, fields[names.connection], connectionNameProblem(fields[names.connection]));
  check('database', fields.database, documentNameProblem(context.kind, 'database', fields.database));
  check(
    names.container,
    fields[names.container],
    documentNameProblem(context.kind, 'container', fields[names.container]),
  );
  return [...own, ...windowedBackupProblems(fields, context)];
}

/** All problems of a windowed restore input. */
export function documentRestoreProblems(input: unknown, context: WindowedFieldsContext): InputProblem[] {
  const { fields, problems } = inputObject(input);
  if (problems.length) return problems;
  const { problems: own, check } = problemCollector();
  const source = fieldsOf(fields.source);
  check('source', fields.source, objectProblem(fields.source, true));
  check(
    'source.account',
    source.account,
    typeof source.account === 'string' && source.account ? undefined : 'is required',
  );
  check('source.database', source.database, documentNameProblem(context.kind, 'database', source.database));
  check('source.container', source.container, documentNameProblem(context.kind, 'container', source.container));
  return [...own, ...windowedRestoreProblems(fields, context)];
}
