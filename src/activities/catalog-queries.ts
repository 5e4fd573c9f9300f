// Catalog queries: the runs of a source, and the contents of one run or the state of a source as of a
// time, paged by name. Read-only, for restore, retention, drills and the CLI.
import { ApplicationFailure } from '@temporalio/common';
import { Context } from '@temporalio/activity';
import { isProblem, resolveRun, type RunSelector } from '../domain/as-of';
import { catalogScope } from '../domain/catalog-layout';
import type { CatalogRecord } from '../domain/catalog-record';
import { summarizeRun, type RunSummary } from '../domain/run-manifest';
import type { ConnectionRegistry } from '../storage/connections';
import { CatalogStore } from './catalog-store';
import { FailureType, resolveConnection, statusCodeOf } from './failures';
import { keepAlive } from './keep-alive';

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

export interface ListBackupRunsInput extends CatalogLocation {
  /** Newest runs only (default 1000): keeps the result far below Temporal's payload limit. */
  limit?: number;
}

export interface ReadCatalogStateInput extends CatalogLocation, RunSelector {
  /** Only names starting with this. */
  prefix?: string;
  /** Resume after this name (the previous page's `nextAfter`). */
  after?: string;
  /** Records per page (default 1000). */
  limit?: number;
}

export interface CatalogStatePage {
  run: RunSummary;
  records: CatalogRecord[];
  /** Pass as `after` for the next page; absent on the last. */
  nextAfter?: string;
}

export function openCatalog(connections: ConnectionRegistry, location: CatalogLocation): CatalogStore {
  const backup = resolveConnection(() => connections.blob(location.backup), 'backup');
  const container = backup.service.getContainerClient(location.backupContainer);
  return new CatalogStore(
    container,
    catalogScope(location.source.account, location.source.container, location.source.prefix),
  );
}

/** The run a selector names, or a non-retryable failure naming the field. */
export async function selectRun(
  store: CatalogStore,
  selector: RunSelector,
  signal?: AbortSignal,
  runs?: RunSummary[],
): Promise<RunSummary> {
  const run = resolveRun(runs ?? (await store.manifests(signal)).map(summarizeRun), selector);
  if (isProblem(run)) {
    throw ApplicationFailure.nonRetryable(
      `${run.field} ${run.message}${run.value === undefined ? '' : ` (got ${JSON.stringify(run.value)})`}`,
      FailureType.InvalidInput,
      run,
    );
  }
  return run;
}

/**
 * The committed runs of a source, oldest first; none is a non-retryable failure. Retention of a source
 * with no runs (a typo in its name, the wrong backup container) has nothing to decide and must write
 * nothing, so activities that would write plans or reports check this first.
 */
export async function requireRuns(store: CatalogStore, source: BackedUpSource, signal?: AbortSignal) {
  const where = `${store.container.accountName}/${store.container.containerName}`;
  const manifests = await store.manifests(signal).catch((err: unknown) => {
    if (statusCodeOf(err) !== 404) throw err;
    throw ApplicationFailure.nonRetryable(`backupContainer: ${where} does not exist`, FailureType.SourceNotFound);
  });
  if (manifests.length === 0) {
    const prefix = source.prefix === undefined ? '' : ` (prefix ${JSON.stringify(source.prefix)})`;
    throw ApplicationFailure.nonRetryable(
      `source: no backup runs found for ${source.account}/${source.container}${prefix} in ${where}`,
      FailureType.SourceNotFound,
    );
  }
  return manifests;
}

export function createCatalogQueryActivities(connections: ConnectionRegistry) {
  return {
    async listBackupRuns(input: ListBackupRunsInput): Promise<RunSummary[]> {
      const store = openCatalog(connections, input);
      const runs = await store.manifests(Context.current().cancellationSignal);
      return runs.slice(-(input.limit ?? 1000)).map(summarizeRun);
    },

    readCatalogState(input: ReadCatalogStateInput): Promise<CatalogStatePage> {
      return keepAlive(async () => {
        const signal = Context.current().cancellationSignal;
        const store = openCatalog(connections, input);
        const run = await selectRun(store, input, signal);
        const limit = input.limit ?? 1000;
        const records: CatalogRecord[] = [];
        let more = false;
        for await (const r of store.records(run.runKey, { lo: input.after }, signal)) {
          if (input.prefix && !r.name.startsWith(input.prefix)) continue;
          if (records.length === limit) {
            more = true;
            break;
          }
          records.push(r);
        }
        return { run, records, nextAfter: more ? records.at(-1)!.name : undefined };
      });
    },
  };
}
