// What the catalog still needs of one source container's backup objects: every copy named by a
// committed run of any of its scopes, or by a run still in progress (its journals and chunks, and the
// run it classifies against). Garbage collection deletes only what is outside this set.
import type { ContainerClient } from '@azure/storage-blob';
import { catalogPaths, containerCatalogPrefix, isCatalogScope, runKeyTime } from '../domain/catalog-layout';
import { isTombstone } from '../domain/catalog-record';
import { partitionOf } from '../domain/hash-partition';
import { readIntents } from './copy-intents';
import { parseLine } from './ndjson-blob';
import { PREVIOUS_RUN_METADATA } from './staging';
import { CatalogStore } from './store';
import type { ItemResult } from './page-journal';

export type RunState = 'committed' | 'in-progress' | 'garbage';

export interface RunDir {
  scope: string;
  runKey: string;
  state: RunState;
}

export interface CatalogReferences {
  copies: Set<string>;
  runs: RunDir[];
}

export interface CollectReferencesOptions {
  /** A run without a manifest whose files changed within this long is taken to be still running. */
  abandonedAfterMs: number;
  /** Runs to treat as forgotten (a dry run's plan). */
  assumeForgotten?: Set<string>;
  now: Date;
  /** Collect only the copies of one hash partition (memory bound for huge containers). */
  partition?: { index: number; count: number };
  abortSignal?: AbortSignal;
  /** Called as records are read (activities heartbeat with it: reading every run can take a while). */
  onProgress?: () => void;
}

export async function collectReferences(
  container: ContainerClient,
  account: string,
  sourceContainer: string,
  options: CollectReferencesOptions,
): Promise<CatalogReferences> {
  const all = new Set<string>();
  const partition = options.partition;
  // A set whose add keeps only this partition's names.
  const copies = partition
    ? { add: (name: string) => (partitionOf(name, partition.count) === partition.index ? all.add(name) : all) }
    : all;
  const runs: RunDir[] = [];
  const signal = options.abortSignal;
  for (const scope of await childPrefixes(container, containerCatalogPrefix(account, sourceContainer), signal)) {
    if (!isCatalogScope(scope)) continue;
    const store = new CatalogStore(container, scope);
    const committed = new Set((await store.listRuns(signal)).filter((k) => !options.assumeForgotten?.has(k)));
    const needed = new Set<string>(committed);
    const dirs = await childPrefixes(container, catalogPaths.runsPrefix(scope), signal);
    const states = new Map<string, RunState>();
    for (const dir of dirs) {
      const runKey = dir.slice(catalogPaths.runsPrefix(scope).length);
      if (committed.has(runKey)) {
        states.set(runKey, 'committed');
        continue;
      }
      const live = await inProgress(container, scope, runKey, options);
      states.set(runKey, live.running ? 'in-progress' : 'garbage');
      if (!live.running) continue;
      // A running backup's own copies: finished pages (chunks) and items journaled so far...
      needed.add(runKey);
      if (live.previousRunKey) needed.add(live.previousRunKey);
      // ...and the copies its pages declared they are about to write (not journaled until verified).
      const journals = catalogPaths.journalsPrefix(scope, runKey);
      for await (const b of container.listBlobsFlat({ prefix: journals, abortSignal: signal })) {
        const text = (
          await container.getBlobClient(b.name).downloadToBuffer(0, undefined, { abortSignal: signal })
        ).toString('utf8');
        for (const line of text.split('\n')) {
          const copy = line ? parseLine<ItemResult>(line, b.name).entry?.copy : undefined;
          if (copy) copies.add(copy);
        }
      }
      const intents = catalogPaths.intentsPrefix(scope, runKey);
      for await (const b of container.listBlobsFlat({ prefix: intents, abortSignal: signal })) {
        for (const name of await readIntents(container.getAppendBlobClient(b.name), signal)) copies.add(name);
      }
    }
    // A deleted blob's last copy goes once its deletion is older than every run still kept: no kept run
    // holds it live any more (tombstones are carried forward, so this is what lets deletions expire).
    const oldestKept = [...needed].sort()[0];
    const cutoff = oldestKept ? runKeyTime(oldestKept).toISOString() : '';
    let read = 0;
    for (const runKey of needed) {
      for await (const r of store.records(runKey, {}, signal)) {
        if (++read % 5000 === 0) options.onProgress?.();
        if (!isTombstone(r)) copies.add(r.copy);
        else if (r.deletedAt >= cutoff) copies.add(r.last.copy);
      }
      // The run a live backup classifies against stays, even if retention forgot it.
      if (states.get(runKey) === 'garbage') states.set(runKey, 'in-progress');
    }
    for (const [runKey, state] of states) runs.push({ scope, runKey, state });
  }
  return { copies: all, runs };
}

/**
 * About how many distinct copies the catalogs reference: each scope's newest run's items plus what
 * every older run copied. Cheap (manifests only); used to split the reference set into partitions.
 */
export async function estimateReferences(
  container: ContainerClient,
  account: string,
  sourceContainer: string,
  abortSignal?: AbortSignal,
): Promise<number> {
  let total = 0;
  for (const scope of await childPrefixes(container, containerCatalogPrefix(account, sourceContainer), abortSignal)) {
    if (!isCatalogScope(scope)) continue;
    const manifests = await new CatalogStore(container, scope).manifests(abortSignal);
    const newest = manifests.at(-1);
    if (newest) total += newest.counts.listed + newest.counts.deleted;
    for (const m of manifests.slice(0, -1)) total += m.counts.new + m.counts.modified;
  }
  return total;
}

async function inProgress(
  container: ContainerClient,
  scope: string,
  runKey: string,
  options: CollectReferencesOptions,
): Promise<{ running: boolean; previousRunKey?: string }> {
  const inventory = catalogPaths.inventoryPrefix(scope, runKey);
  let staged = false;
  let previousRunKey: string | undefined;
  let newest = 0;
  for await (const b of container.listBlobsFlat({
    prefix: catalogPaths.runPrefix(scope, runKey),
    includeMetadata: true,
    abortSignal: options.abortSignal,
  })) {
    newest = Math.max(newest, b.properties.lastModified.getTime());
    if (b.name.startsWith(inventory)) {
      staged = true;
      previousRunKey ??= b.metadata?.[PREVIOUS_RUN_METADATA];
    }
  }
  // Commit removes the staged inventory: a run dir without it and without a manifest was forgotten.
  const running = staged && options.now.getTime() - newest < options.abandonedAfterMs;
  return { running, previousRunKey };
}

/** The "directories" directly under `prefix`, without their trailing slash. */
async function childPrefixes(container: ContainerClient, prefix: string, abortSignal?: AbortSignal) {
  const out: string[] = [];
  for await (const item of container.listBlobsByHierarchy('/', { prefix, abortSignal })) {
    if (item.kind === 'prefix') out.push(item.name.slice(0, -1));
  }
  return out;
}
