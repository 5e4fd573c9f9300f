// Shared by runs that stage per-page files (backups, restores): list a run's staging folders in one
// listing, merge the page reports into one report blob, and remove staging files once the result is
// committed.
import { Context } from '@temporalio/activity';
import type { ContainerClient } from '@azure/storage-blob';
import { setMaxListeners } from 'node:events';
import { mapWithConcurrency } from '../lib/async-pool';
import { readNdjson, writeNdjson } from '../storage/ndjson-blob';

/**
 * The blobs under `prefix` + each folder, by folder, in name order. One listing of `prefix` for all of
 * them: a listing is a round trip per 5,000 names, and a slow one on a container holding many copies.
 */
export async function listStaging<F extends string>(
  container: ContainerClient,
  prefix: string,
  folders: readonly F[],
  abortSignal?: AbortSignal,
): Promise<Record<F, string[]>> {
  const byFolder = Object.fromEntries(folders.map((f) => [f, [] as string[]])) as Record<F, string[]>;
  for await (const b of container.listBlobsFlat({ prefix, abortSignal })) {
    const folder = folders.find((f) => b.name.startsWith(`${prefix}${f}`));
    if (folder !== undefined) byFolder[folder].push(b.name);
  }
  return byFolder;
}

/** Concatenates the NDJSON blobs `parts`, in name order, into `target`. */
export async function mergeNdjsonBlobs(
  container: ContainerClient,
  parts: readonly string[],
  target: string,
  abortSignal?: AbortSignal,
): Promise<void> {
  await writeNdjson(
    container.getBlockBlobClient(target),
    (async function* () {
      for (const name of [...parts].sort()) {
        yield* readNdjson(container.getBlobClient(name), abortSignal);
        Context.current().heartbeat();
      }
    })(),
    { abortSignal },
  );
}

const DELETES_IN_FLIGHT = 16;

/** Deletes the named blobs, 16 at a time (best effort: leftovers are collected later). */
export async function deleteBlobs(container: ContainerClient, names: readonly string[], abortSignal?: AbortSignal) {
  // Each request in flight listens on the signal: 16 of them exceed Node's default warning level of 10.
  if (abortSignal) setMaxListeners(DELETES_IN_FLIGHT + 10, abortSignal);
  await mapWithConcurrency([...names], DELETES_IN_FLIGHT, async (name) => {
    await container.deleteBlob(name, { abortSignal }).catch(() => {});
    Context.current().heartbeat();
  });
}
