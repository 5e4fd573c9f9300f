// Producer triggers: "I have just written data to this container, back it up". Requests name what is new
// (a prefix or some blobs) for the record; the run they lead to backs up the whole container
// incrementally, so it covers every request by construction and triggered, scheduled and manual runs
// share one catalog scope. Requests that pile up while a run goes are merged here into one bounded
// summary (never a growing list in history), which the follow-up run is started with.
import { blobPrefixProblem, containerNameProblem, MAX_BLOB_NAME_LENGTH } from './blob-names';
import { connectionNameProblem, problemCollector, type InputProblem } from './input-problems';

/** What `azbackup notify`, a signal-with-start or the queue consumer sends (signal `backupRequested`). */
export interface BackupRequest {
  /** The prefix the producer wrote under. */
  prefix?: string;
  /** The blobs the producer wrote (at most MAX_BLOBS_PER_REQUEST). */
  blobs?: string[];
  /** Who asked: a job name, `eventgrid:<event id>`, a user. */
  requestedBy?: string;
  /** When the data was written or the request made (ISO time). */
  at?: string;
}

/** Requests merged into the one run that will cover them. Bounded: past the caps only counts grow. */
export interface PendingRequests {
  count: number;
  firstAt?: string;
  lastAt?: string;
  prefixes: string[];
  blobs: string[];
  requestedBy: string[];
  /** Some request named neither a prefix nor blobs (or was malformed): the whole container. */
  wholeContainer: boolean;
  /** Names or requesters left out of the lists above because of the caps. */
  truncated: boolean;
  /** Requests whose fields were malformed (merged as whole-container requests, never dropped). */
  malformed: number;
}

export const MAX_BLOBS_PER_REQUEST = 1000;
export const MAX_LISTED_BLOBS = 100;
export const MAX_LISTED_PREFIXES = 20;
export const MAX_LISTED_REQUESTERS = 20;
const MAX_REQUESTED_BY_LENGTH = 200;

export const BACKUP_REQUESTED_SIGNAL = 'backupRequested';

/** One trigger workflow per (source connection, container): signal-with-start finds it by this id. */
export function triggerWorkflowId(source: string, container: string): string {
  return `trigger/${source}/${container}`;
}

export function backupRequestProblems(request: unknown): InputProblem[] {
  if (typeof request !== 'object' || request === null || Array.isArray(request))
    return [{ field: '(request)', value: request, message: 'must be a JSON object' }];
  const r = request as Record<string, unknown>;
  const { problems, check } = problemCollector();
  for (const key of Object.keys(r))
    if (!['prefix', 'blobs', 'requestedBy', 'at'].includes(key))
      check(key, r[key], 'is not a field of a backup request (prefix, blobs, requestedBy, at)');
  check('prefix', r.prefix, blobPrefixProblem(r.prefix));
  if (r.prefix !== undefined && r.blobs !== undefined) check('blobs', r.blobs, 'give a prefix or blobs, not both');
  if (r.blobs !== undefined) {
    if (!Array.isArray(r.blobs) || r.blobs.length === 0 || r.blobs.length > MAX_BLOBS_PER_REQUEST)
      check('blobs', r.blobs, `must be a list of 1 to ${MAX_BLOBS_PER_REQUEST} blob names`);
    else
      r.blobs.forEach((name, i) => {
        if (typeof name !== 'string' || name.length === 0 || name.length > MAX_BLOB_NAME_LENGTH)
          check(`blobs[${i}]`, name, `must be a blob name of 1 to ${MAX_BLOB_NAME_LENGTH} characters`);
      });
  }
  if (
    r.requestedBy !== undefined &&
    (typeof r.requestedBy !== 'string' || r.requestedBy.length > MAX_REQUESTED_BY_LENGTH)
  )
    check('requestedBy', r.requestedBy, `must be text of at most ${MAX_REQUESTED_BY_LENGTH} characters`);
  if (r.at !== undefined && (typeof r.at !== 'string' || Number.isNaN(Date.parse(r.at))))
    check('at', r.at, 'must be an ISO time such as 2026-12-01T02:00:00Z');
  return problems;
}

/** Problems with the names a trigger is addressed by (before any signal is sent). */
export function triggerTargetProblems(target: {
  source: unknown;
  container: unknown;
  backup: unknown;
}): InputProblem[] {
  const { problems, check } = problemCollector();
  check('source', target.source, connectionNameProblem(target.source));
  check('container', target.container, containerNameProblem(target.container));
  check('backup', target.backup, connectionNameProblem(target.backup));
  return problems;
}

export function noPendingRequests(): PendingRequests {
  return { count: 0, prefixes: [], blobs: [], requestedBy: [], wholeContainer: false, truncated: false, malformed: 0 };
}

/**
 * Folds one request into the pending summary. A malformed request is not refused (a signal cannot be):
 * it counts as a whole-container request, which the run covers anyway.
 */
export function mergeRequest(pending: PendingRequests, request: unknown): PendingRequests {
  const next: PendingRequests = {
    ...pending,
    count: pending.count + 1,
    prefixes: [...pending.prefixes],
    blobs: [...pending.blobs],
    requestedBy: [...pending.requestedBy],
  };
  if (backupRequestProblems(request).length) {
    next.malformed++;
    next.wholeContainer = true;
    return next;
  }
  const r = request as BackupRequest;
  if (r.at) {
    if (!next.firstAt || r.at < next.firstAt) next.firstAt = r.at;
    if (!next.lastAt || r.at > next.lastAt) next.lastAt = r.at;
  }
  const add = (list: string[], value: string, cap: number) => {
    if (list.includes(value)) return;
    if (list.length < cap) list.push(value);
    else next.truncated = true;
  };
  if (r.prefix !== undefined) add(next.prefixes, r.prefix, MAX_LISTED_PREFIXES);
  else if (r.blobs) for (const name of r.blobs) add(next.blobs, name, MAX_LISTED_BLOBS);
  else next.wholeContainer = true;
  if (r.requestedBy) add(next.requestedBy, r.requestedBy, MAX_LISTED_REQUESTERS);
  return next;
}

/** One line for a run's summary in the UI: how many requests, and what they named. */
export function describePending(p: PendingRequests): string {
  const parts = [`${p.count} request${p.count === 1 ? '' : 's'}`];
  if (p.wholeContainer) parts.push('whole container');
  if (p.prefixes.length) parts.push(`prefixes ${p.prefixes.join(', ')}`);
  if (p.blobs.length) parts.push(`${p.blobs.length} blob${p.blobs.length === 1 ? '' : 's'}`);
  if (p.requestedBy.length) parts.push(`from ${p.requestedBy.join(', ')}`);
  if (p.truncated) parts.push('(lists truncated)');
  return parts.join('; ');
}
