// Shared by runs that stage per-page files (backups, restores): list a run's staging folders in one
// listing, merge the page reports into one report blob, and remove staging files once the result is
// committed.
import type { ContainerClient } from '@azure/storage-blob';
import { setMaxListeners } from 'node:events';
import { catalogPaths } from '../domain/catalog-layout';
import { mapWithConcurrency } from '../lib/async-pool';
import { readNdjson, writeNdjson } from './ndjson-blob';

export interface StagingOptions {
  abortSignal?: AbortSignal;
  /** Called as parts are read or deleted (activities heartbeat with it). */
  onProgress?: () => void;
}

/** Staging folders of one run (full prefixes), all under `within` (see catalog-layout's runStaging). */
export interface StagingLayout<F extends string> {
  within: string;
  folders: Record<F, string>;
}

/**
 * The blobs in each staging folder, in name order. One listing of `within` for all of them: a listing
 * is a round trip per 5,000 names, and a slow one on a container holding many copies.
 */
export async function listStaging<F extends string>(
  container: ContainerClient,
  layout: StagingLayout<F>,
  options: StagingOptions = {},
): Promise<Record<F, string[]>> {
  const folders = Object.entries(layout.folders) as [F, string][];
  const byFolder = Object.fromEntries(folders.map(([f]) => [f, [] as string[]])) as Record<F, string[]>;
  for await (const b of container.listBlobsFlat({ prefix: layout.within, abortSignal: options.abortSignal })) {
    const folder = folders.find(([, prefix]) => b.name.startsWith(prefix));
    if (folder !== undefined) byFolder[folder[0]].push(b.name);
  }
  return byFolder;
}

/** Concatenates the NDJSON blobs `parts`, in name order, into `target`. */
export async function mergeNdjsonBlobs(
  container: ContainerClient,
  parts: readonly string[],
  target: string,
  options: StagingOptions = {},
): Promise<void> {
  const { abortSignal, onProgress } = options;
  await writeNdjson(
    container.getBlockBlobClient(target),
    (async function* () {
      for (const name of [...parts].sort()) {
        yield* readNdjson(container.getBlobClient(name), abortSignal);
        onProgress?.();
      }
    })(),
    { abortSignal },
  );
}

const DELETES_IN_FLIGHT = 16;

/** Deletes the named blobs, 16 at a time (best effort: leftovers are collected later). */
export async function deleteBlobs(container: ContainerClient, names: readonly string[], options: StagingOptions = {}) {
  const { abortSignal, onProgress } = options;
  // Each request in flight listens on the signal: 16 of them exceed Node's default warning level of 10.
  if (abortSignal) setMaxListeners(DELETES_IN_FLIGHT + 10, abortSignal);
  await mapWithConcurrency([...names], DELETES_IN_FLIGHT, async (name) => {
    await container.deleteBlob(name, { abortSignal }).catch(() => {});
    onProgress?.();
  });
}

/**
 * Staged with the inventory (so commit removes it): tells garbage collection this run is in progress and
 * which run it is classified against, even when every page is settled without staging anything.
 */
export async function markRunStarted(
  container: ContainerClient,
  scope: string,
  runKey: string,
  previousRunKey: string | undefined,
  abortSignal?: AbortSignal,
): Promise<void> {
  const marker = container.getBlockBlobClient(catalogPaths.runStarted(scope, runKey));
  await marker.upload('', 0, {
    metadata: previousRunKey ? { [PREVIOUS_RUN_METADATA]: previousRunKey } : undefined,
    abortSignal,
  });
}

/** Metadata of staged inventory: the run this one is classified against (references.ts reads it). */
export const PREVIOUS_RUN_METADATA = 'previousrun';

/** Stages one listing page for the page's child workflow (a reference travels, never the names). */
export async function stageInventory(
  container: ContainerClient,
  page: { scope: string; runKey: string; index: number; previousRunKey?: string },
  items: readonly unknown[],
  abortSignal?: AbortSignal,
): Promise<void> {
  await writeNdjson(container.getBlockBlobClient(catalogPaths.inventory(page.scope, page.runKey, page.index)), items, {
    abortSignal,
    metadata: page.previousRunKey ? { [PREVIOUS_RUN_METADATA]: page.previousRunKey } : undefined,
  });
}
