// The snapshot ledger: source snapshots recorded by runs that retention forgot. Snapshot pruning may
// only delete snapshots azbackup took, and it learns which from the catalogs; once a run's catalog is
// collected, the ledger is what still says that its snapshots were ours.
import { catalogPaths } from '../domain/catalog-layout';
import { isTombstone } from '../domain/catalog-record';
import { readNdjson, writeNdjson } from './ndjson-blob';
import type { CatalogStore } from './store';

export interface LedgerEntry {
  name: string;
  snapshot: string;
}

/** Records the snapshots of runs about to be forgotten (before their manifests go). */
export async function writeSnapshotLedger(
  store: CatalogStore,
  runKeys: string[],
  key: string,
  abortSignal: AbortSignal,
): Promise<void> {
  if (runKeys.length === 0) return;
  const seen = new Set<string>();
  await writeNdjson(
    store.container.getBlockBlobClient(catalogPaths.snapshotLedger(store.scope, key)),
    (async function* () {
      for (const run of runKeys) {
        for await (const r of store.records(run, {}, abortSignal)) {
          const e = isTombstone(r) ? r.last : r;
          const id = e.snapshot && `${e.name}\n${e.snapshot}`;
          if (!id || seen.has(id)) continue;
          seen.add(id);
          yield { name: e.name, snapshot: e.snapshot! } satisfies LedgerEntry;
        }
      }
    })(),
    { abortSignal },
  );
}

/** Every ledger's entries, and the ledger blobs they came from. */
export async function readSnapshotLedgers(
  store: CatalogStore,
  abortSignal: AbortSignal,
): Promise<{ entries: LedgerEntry[]; blobs: string[] }> {
  const entries: LedgerEntry[] = [];
  const blobs: string[] = [];
  const prefix = catalogPaths.snapshotLedgerPrefix(store.scope);
  for await (const b of store.container.listBlobsFlat({ prefix, abortSignal })) {
    blobs.push(b.name);
    for await (const e of readNdjson<LedgerEntry>(store.container.getBlobClient(b.name), abortSignal)) entries.push(e);
  }
  return { entries, blobs };
}

/** Replaces the ledgers read with one holding what is left (snapshots that still exist and stay). */
export async function compactSnapshotLedgers(
  store: CatalogStore,
  read: string[],
  left: LedgerEntry[],
  key: string,
  abortSignal: AbortSignal,
): Promise<void> {
  const next = catalogPaths.snapshotLedger(store.scope, key);
  if (left.length) await writeNdjson(store.container.getBlockBlobClient(next), left, { abortSignal });
  for (const name of read) if (name !== next) await store.container.deleteBlob(name, { abortSignal });
}
