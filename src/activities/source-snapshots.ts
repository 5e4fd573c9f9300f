// Pruning the snapshots backups took on the source (they cost money there). Only snapshots a catalog
// (or the ledger of forgotten runs) records as azbackup's are deleted: someone else's are not ours.
import type { ContainerClient } from '@azure/storage-blob';
import { writeNdjson } from '../catalog/ndjson-blob';
import { openCatalog, requireRuns, type BackedUpSource } from '../catalog/queries';
import { estimateReferences } from '../catalog/references';
import { compactSnapshotLedgers, readSnapshotLedgers, type LedgerEntry } from '../catalog/snapshot-ledger';
import type { CatalogStore } from '../catalog/store';
import { isTombstone } from '../domain/catalog-record';
import { DEFAULT_MAX_REFERENCES_IN_MEMORY } from '../domain/defaults';
import { partitionOf } from '../domain/hash-partition';
import { snapshotsBeyondPolicy, type SourceSnapshotPolicy } from '../domain/snapshot-policy';
import type { ConnectionRegistry } from '../storage/connections';
import { unlessNotFound } from '../storage/errors';
import { defineActivity } from './toolkit';

export type { SourceSnapshotPolicy };

export interface PruneSourceSnapshotsInput {
  /** Connection of the source account (snapshots are deleted there). */
  sourceConnection: string;
  backup: string;
  backupContainer: string;
  source: BackedUpSource;
  policy: SourceSnapshotPolicy;
  report: string;
  /** Names the compacted snapshot ledger. */
  retentionKey: string;
  dryRun: boolean;
  /** As for garbage collection: snapshot ids held in memory at once before working in partitions. */
  maxReferencesInMemory?: number;
}

export function createSourceSnapshotActivities(connections: ConnectionRegistry) {
  return {
    pruneSourceSnapshots: defineActivity(
      connections,
      async (input: PruneSourceSnapshotsInput, tools): Promise<{ deleted: number; report: string }> => {
        const { signal } = tools;
        const source = tools.blob(input.sourceConnection, 'sourceSnapshots.source');
        const store = openCatalog(tools.blob(input.backup, 'backup'), input);
        await requireRuns(store, input.source, signal); // before the report is written
        const ledger = await readSnapshotLedgers(store, signal);
        const inLedger = new Set(ledger.entries.map((e) => snapshotId(e.name, e.snapshot)));
        const ledgerLeft: LedgerEntry[] = [];
        const container = source.service.getContainerClient(input.source.container);
        const now = Date.now();
        // Partitioned by blob name (all of a blob's snapshots in one pass) when the set would not fit.
        const estimate = await estimateReferences(
          store.container,
          input.source.account,
          input.source.container,
          signal,
        );
        const partitions = Math.max(
          1,
          Math.ceil(estimate / (input.maxReferencesInMemory ?? DEFAULT_MAX_REFERENCES_IN_MEMORY)),
        );
        /** A blob's snapshots of ours that the policy lets go; the ledger's that stay are kept in the ledger. */
        const beyondPolicy = function* (name: string, snaps: string[]) {
          const { prune, keep } = snapshotsBeyondPolicy(snaps, input.policy, now);
          for (const p of prune) yield { name, ...p };
          for (const snap of keep) if (inLedger.has(snapshotId(name, snap))) ledgerLeft.push({ name, snapshot: snap });
        };
        const doomed = async function* () {
          for (let index = 0; index < partitions; index++) {
            const mine = (name: string) => partitionOf(name, partitions) === index;
            const ours = await ourSnapshots(store, inLedger, mine, signal);
            for await (const { name, snapshots } of snapshotsByBlob(container, input.source.prefix, ours, signal))
              yield* beyondPolicy(name, snapshots);
          }
        };
        let deleted = 0;
        await writeNdjson(
          store.container.getBlockBlobClient(input.report),
          (async function* () {
            for await (const d of doomed()) {
              if (!input.dryRun)
                await unlessNotFound(
                  container.getBlobClient(d.name).withSnapshot(d.snapshot).delete({ abortSignal: signal }),
                );
              deleted++;
              tools.heartbeat();
              yield d;
            }
          })(),
          { abortSignal: signal },
        );
        // Entries whose snapshot was deleted now, or by someone else, leave the ledger.
        if (!input.dryRun && ledger.blobs.length)
          await compactSnapshotLedgers(store, ledger.blobs, ledgerLeft, `${input.retentionKey}-pruned`, signal);
        return { deleted, report: input.report };
      },
    ),
  };
}

function snapshotId(name: string, snapshot: string): string {
  return `${name}\n${snapshot}`;
}

/** Every snapshot of a partition's blobs that a committed run or the ledger records. */
async function ourSnapshots(
  store: CatalogStore,
  inLedger: Set<string>,
  mine: (name: string) => boolean,
  abortSignal: AbortSignal,
): Promise<Set<string>> {
  const ours = new Set<string>([...inLedger].filter((id) => mine(id.slice(0, id.indexOf('\n')))));
  for (const run of await store.listRuns(abortSignal)) {
    for await (const r of store.records(run, {}, abortSignal)) {
      const e = isTombstone(r) ? r.last : r;
      if (e.snapshot && mine(e.name)) ours.add(snapshotId(e.name, e.snapshot));
    }
  }
  return ours;
}

/** The source's blobs with the snapshots of theirs in `ours`, one blob at a time (listing order). */
async function* snapshotsByBlob(
  container: ContainerClient,
  prefix: string | undefined,
  ours: Set<string>,
  abortSignal: AbortSignal,
): AsyncGenerator<{ name: string; snapshots: string[] }> {
  let current: { name: string; snapshots: string[] } | undefined;
  for await (const b of container.listBlobsFlat({ prefix, includeSnapshots: true, abortSignal })) {
    if (b.name !== current?.name) {
      if (current) yield current;
      current = { name: b.name, snapshots: [] };
    }
    if (b.snapshot && ours.has(snapshotId(b.name, b.snapshot))) current.snapshots.push(b.snapshot);
  }
  if (current) yield current;
}
