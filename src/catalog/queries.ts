// The catalog's read side: where a source's catalog is, which run a selector names, the runs of a
// source, and its state as of a run, page by page. Read-only; used by restore, retention and drill
// activities and by the CLI. Bad selections and missing catalogs are plain errors (domain/failures.ts).
import { isProblem, resolveRun, type RunSelector } from '../domain/as-of';
import { catalogScope } from '../domain/catalog-layout';
import type { CatalogRecord } from '../domain/catalog-record';
import { InvalidInputError, NotFoundError } from '../domain/failures';
import { summarizeRun, type RunSummary } from '../domain/run-manifest';
import type { BlobAccount } from '../storage/blob-account';
import { statusCodeOf } from '../storage/errors';
import { CatalogStore } from './store';

/** What was backed up: the source as the catalog names it (storage account name, not a connection). */
export interface BackedUpSource {
  account: string;
  container: string;
  /** The prefix the backup was made of, if it was a prefix backup. */
  prefix?: string;
}

export interface CatalogLocation {
  /** Connection name of the backup account. */
  backup: string;
  backupContainer: string;
  source: BackedUpSource;
}

export interface StatePageOptions {
  /** Only names starting with this. */
  prefix?: string;
  /** Resume after this name (the previous page's `nextAfter`). */
  after?: string;
  /** Records per page (default 1000). */
  limit?: number;
  abortSignal?: AbortSignal;
}

export interface CatalogStatePage {
  run: RunSummary;
  records: CatalogRecord[];
  /** Pass as `after` for the next page; absent on the last. */
  nextAfter?: string;
}

/** The catalog of `location.source` in the backup account reached through `backup`. */
export function openCatalog(backup: BlobAccount, location: Omit<CatalogLocation, 'backup'>): CatalogStore {
  const container = backup.service.getContainerClient(location.backupContainer);
  return new CatalogStore(
    container,
    catalogScope(location.source.account, location.source.container, location.source.prefix),
  );
}

/** The run a selector names (default: the newest verified run), or an InvalidInputError naming the field. */
export async function selectRun(
  store: CatalogStore,
  selector: RunSelector,
  options: { abortSignal?: AbortSignal; runs?: RunSummary[] } = {},
): Promise<RunSummary> {
  const run = resolveRun(options.runs ?? (await store.manifests(options.abortSignal)).map(summarizeRun), selector);
  if (isProblem(run)) {
    const got = run.value === undefined ? '' : ` (got ${JSON.stringify(run.value)})`;
    throw new InvalidInputError(run.field, `${run.field} ${run.message}${got}`, run);
  }
  return run;
}

/**
 * The committed runs of a source, oldest first; none is a NotFoundError. Retention of a source with no
 * runs (a typo in its name, the wrong backup container) has nothing to decide and must write nothing,
 * so activities that would write plans or reports check this first.
 */
export async function requireRuns(store: CatalogStore, source: BackedUpSource, abortSignal?: AbortSignal) {
  const where = `${store.container.accountName}/${store.container.containerName}`;
  const manifests = await store.manifests(abortSignal).catch((err: unknown) => {
    if (statusCodeOf(err) !== 404) throw err;
    throw new NotFoundError(`backupContainer: ${where} does not exist`);
  });
  if (manifests.length === 0) {
    const prefix = source.prefix === undefined ? '' : ` (prefix ${JSON.stringify(source.prefix)})`;
    throw new NotFoundError(
      `source: no backup runs found for ${source.account}/${source.container}${prefix} in ${where}`,
    );
  }
  return manifests;
}

/** The newest `limit` committed runs, oldest first, as one line each. */
export async function listRunSummaries(
  store: CatalogStore,
  options: { limit?: number; abortSignal?: AbortSignal } = {},
) {
  const runs = await store.manifests(options.abortSignal);
  return runs.slice(-(options.limit ?? 1000)).map(summarizeRun);
}

/** One page of the state of a source as of the selected run, in name order. */
export async function readStatePage(
  store: CatalogStore,
  selector: RunSelector,
  options: StatePageOptions = {},
): Promise<CatalogStatePage> {
  const { prefix, abortSignal } = options;
  const run = await selectRun(store, selector, { abortSignal });
  const limit = options.limit ?? 1000;
  const records: CatalogRecord[] = [];
  let more = false;
  for await (const r of store.records(run.runKey, { lo: options.after }, abortSignal)) {
    if (prefix && !r.name.startsWith(prefix)) {
      if (r.name > prefix) break; // records come in name order: past the prefix, nothing more matches
      continue;
    }
    if (records.length === limit) {
      more = true;
      break;
    }
    records.push(r);
  }
  return { run, records, nextAfter: more ? records.at(-1)!.name : undefined };
}
