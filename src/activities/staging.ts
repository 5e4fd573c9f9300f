// Shared by runs that stage per-page files (backups, restores): merge the page reports into one report
// blob, and remove staging files once the result is committed.
import { Context } from '@temporalio/activity';
import type { ContainerClient } from '@azure/storage-blob';
import { setMaxListeners } from 'node:events';
import { mapWithConcurrency } from '../lib/async-pool';
import { readNdjson, writeNdjson } from '../storage/ndjson-blob';

/** Concatenates every NDJSON blob under `prefix`, in name order, into `target`. */
export async function mergeNdjsonBlobs(
  container: ContainerClient,
  prefix: string,
  target: string,
  abortSignal?: AbortSignal,
): Promise<void> {
  const parts: string[] = [];
  for await (const b of container.listBlobsFlat({ prefix, abortSignal })) parts.push(b.name);
  await writeNdjson(
    container.getBlockBlobClient(target),
    (async function* () {
      for (const name of parts.sort()) {
        yield* readNdjson(container.getBlobClient(name), abortSignal);
        Context.current().heartbeat();
      }
    })(),
    { abortSignal },
  );
}

const DELETES_IN_FLIGHT = 16;

/** Deletes every blob under each prefix, 16 at a time (best effort: leftovers are collected later). */
export async function deleteUnder(container: ContainerClient, prefixes: string[], abortSignal?: AbortSignal) {
  const names: string[] = [];
  for (const prefix of prefixes) {
    for await (const b of container.listBlobsFlat({ prefix, abortSignal })) names.push(b.name);
  }
  // Each request in flight listens on the signal: 16 of them exceed Node's default warning level of 10.
  if (abortSignal) setMaxListeners(DELETES_IN_FLIGHT + 10, abortSignal);
  await mapWithConcurrency(names, DELETES_IN_FLIGHT, async (name) => {
    await container.deleteBlob(name, { abortSignal }).catch(() => {});
    Context.current().heartbeat();
  });
}
