// Pruning the snapshots backups took on the source (they cost money there). Only snapshots a catalog
// (or the ledger of forgotten runs) records as azbackup's are deleted: someone else's are not ours.
import { Context } from '@temporalio/activity';
import { catalogScope } from '../domain/catalog-layout';
import { isTombstone } from '../domain/catalog-record';
import { partitionOf } from '../domain/hash-partition';
import { snapshotsBeyondPolicy, type SourceSnapshotPolicy } from '../domain/snapshot-policy';
import type { ConnectionRegistry } from '../storage/connections';
import { writeNdjson } from '../storage/ndjson-blob';
import { requireRuns, type BackedUpSource } from './catalog-queries';
import { CatalogStore } from './catalog-store';
import { resolveConnection, statusCodeOf } from './failures';
import { estimateReferences } from './catalog-references';
import { keepAlive } from './keep-alive';
import { compactSnapshotLedgers, readSnapshotLedgers, type LedgerEntry } from './snapshot-ledger';

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
    pruneSourceSnapshots(input: PruneSourceSnapshotsInput): Promise<{ deleted: number; report: string }> {
      return keepAlive(async () => {
        const signal = Context.current().cancellationSignal;
        const source = resolveConnection(() => connections.blob(input.sourceConnection), 'sourceSnapshots.source');
        const backup = resolveConnection(() => connections.blob(input.backup), 'backup');
        const store = new CatalogStore(
          backup.service.getContainerClient(input.backupContainer),
          catalogScope(input.source.account, input.source.container, input.source.prefix),
        );
        await requireRuns(store, input.source, signal); // before the report is written
        const ledger = await readSnapshotLedgers(store, signal);
        const inLedger = new Set(ledger.entries.map((e) => `${e.name}\n${e.snapshot}`));
        const ledgerLeft: LedgerEntry[] = [];
        const container = source.service.getContainerClient(input.source.container);
        const now = Date.now();
        let deleted = 0;
        // Partitioned by blob name (all of a blob's snapshots in one pass) when the set would not fit.
        const estimate = await estimateReferences(
          store.container,
          input.source.account,
          input.source.container,
          signal,
        );
        const partitions = Math.max(1, Math.ceil(estimate / (input.maxReferencesInMemory ?? 5_000_000)));
        const doomed = async function* () {
          for (let index = 0; index < partitions; index++) {
            const mine = (name: string) => partitionOf(name, partitions) === index;
            // Every snapshot a committed run or the ledger records, as name + "\n" + snapshot time.
            const ours = new Set<string>([...inLedger].filter((id) => mine(id.slice(0, id.indexOf('\n')))));
            for (const run of await store.listRuns(signal)) {
              for await (const r of store.records(run, {}, signal)) {
                const e = isTombstone(r) ? r.last : r;
                if (e.snapshot && mine(e.name)) ours.add(`${e.name}\n${e.snapshot}`);
              }
            }
            let name: string | undefined;
            let snaps: string[] = [];
            for await (const b of container.listBlobsFlat({
              prefix: input.source.prefix,
              includeSnapshots: true,
              abortSignal: signal,
            })) {
              if (b.name !== name) {
                yield* beyondPolicy(name, snaps);
                name = b.name;
                snaps = [];
              }
              if (b.snapshot && ours.has(`${b.name}\n${b.snapshot}`)) snaps.push(b.snapshot);
            }
            yield* beyondPolicy(name, snaps);
          }
        };
        /** A blob's snapshots that the policy lets go; the ledger's that stay are kept in the ledger. */
        const beyondPolicy = function* (name: string | undefined, snaps: string[]) {
          const { prune, keep } = snapshotsBeyondPolicy(snaps, input.policy, now);
          for (const p of prune) yield { name: name!, ...p };
          for (const snap of keep)
            if (inLedger.has(`${name}\n${snap}`)) ledgerLeft.push({ name: name!, snapshot: snap });
        };
        await writeNdjson(
          backup.service.getContainerClient(input.backupContainer).getBlockBlobClient(input.report),
          (async function* () {
            for await (const d of doomed()) {
              if (!input.dryRun) {
                await container
                  .getBlobClient(d.name)
                  .withSnapshot(d.snapshot)
                  .delete({ abortSignal: signal })
                  .catch((err: unknown) => {
                    if (statusCodeOf(err) !== 404) throw err;
                  });
              }
              deleted++;
              Context.current().heartbeat();
              yield d;
            }
          })(),
          { abortSignal: signal },
        );
        // Entries whose snapshot was deleted now, or by someone else, leave the ledger.
        if (!input.dryRun && ledger.blobs.length)
          await compactSnapshotLedgers(store, ledger.blobs, ledgerLeft, `${input.retentionKey}-pruned`, signal);
        return { deleted, report: input.report };
      });
    },
  };
}
