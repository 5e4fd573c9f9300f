// Restoring a windowed export (Cosmos DB, Mongo): plan (which runs and windows as of a time, the target
// checked, every encryption key proven on a real object, then the only write: the target container), and
// restore one window: read back through the reverse chain, verified as it streams, upserted in order.
import { ExportCatalog } from '../catalog/export-catalog';
import { exportScope } from '../domain/catalog-layout';
import { restoreRuns, type DocumentKind, type RestoreRun } from '../domain/export-manifest';
import { InvalidInputError, NotFoundError } from '../domain/failures';
import type { ExportedDocument } from '../exports/document-store';
import { probeKey, readWindowObject } from '../exports/window-object';
import type { KeyResolver } from '../pipeline/key-ring';
import type { ConnectionRegistry } from '../storage/connections';
import { openStore, type StoreAddress } from './document-stores';
import { defineActivity, type ActivityTools } from './toolkit';

/** The exported source as the catalog names it. */
export interface ExportedSource {
  account: string;
  database: string;
  container: string;
}

export interface PlanExportRestoreInput {
  kind: DocumentKind;
  backup: string;
  backupContainer: string;
  source: ExportedSource;
  /** ms: documents written before it; the newest data when absent. */
  asOfMs: number;
  target: StoreAddress;
  /** Restoring into the exported container itself must be asked for by name. */
  allowSourceTarget: boolean;
  dryRun: boolean;
}

export interface ExportRestorePlan {
  scope: string;
  runs: RestoreRun[];
  windows: number;
  /** Documents the runs hold (an upper bound when asOf cuts a window). */
  documents: number;
}

export interface RestoreExportWindowInput {
  kind: DocumentKind;
  backup: string;
  backupContainer: string;
  scope: string;
  runKey: string;
  index: number;
  asOfMs: number;
  target: StoreAddress;
  /** A full export: afterwards, documents of the target that it does not hold are removed. */
  full: boolean;
}

export interface RestoreWindowResult {
  read: number;
  upserted: number;
  /** Written after asOf (a window that straddles it): left out. */
  skipped: number;
  deleted: number;
}

export function createExportRestoreActivities({
  connections,
  keys,
}: {
  connections: ConnectionRegistry;
  keys: KeyResolver;
}) {
  const catalogOf = (tools: ActivityTools, input: { backup: string; backupContainer: string }, scope: string) =>
    new ExportCatalog(tools.blob(input.backup, 'backup').service.getContainerClient(input.backupContainer), scope);

  return {
    planExportRestore: defineActivity(
      connections,
      async (input: PlanExportRestoreInput, tools): Promise<ExportRestorePlan> => {
        const { signal } = tools;
        const { account, database, container } = input.source;
        const scope = exportScope(input.kind, account, database, container);
        const catalog = catalogOf(tools, input, scope);
        const manifests = await catalog.manifests(signal);
        if (manifests.length === 0)
          throw new NotFoundError(
            `source: no committed export of ${account}/${database}/${container} in ` +
              `${catalog.container.accountName}/${catalog.container.containerName}`,
          );
        const runs = restoreRuns(manifests, input.asOfMs);
        if (runs.length === 0)
          throw new InvalidInputError(
            'asOf',
            `asOf ${new Date(input.asOfMs).toISOString()} is before the first exported window ` +
              `(${new Date(Math.min(...manifests.map((m) => m.fromMs))).toISOString()})`,
          );
        const target = openStore(connections, input.kind, input.target, 'target.connection');
        const same =
          target.location.account === account &&
          target.location.database === database &&
          target.location.container === container;
        if (same && !input.allowSourceTarget)
          throw new InvalidInputError(
            'target',
            'target: is the exported container itself; restore into a new container, or set allowSourceTarget ' +
              'to write into the source',
          );
        // Every key the runs were encrypted with, proven on a real object before anything is written.
        const byRun = new Map(manifests.map((m) => [m.runKey, m]));
        const proven = new Set<string>();
        for (const run of runs) {
          const key = byRun.get(run.runKey)?.encryptionKey;
          if (!key || proven.has(key) || run.windows === 0) continue;
          const record = await catalog.window(run.runKey, 0, signal);
          if (record.object)
            await probeKey(catalog.container.getBlobClient(record.object), record, { keys, abortSignal: signal });
          proven.add(key);
        }
        const shape = { partitionKeyPath: byRun.get(runs[0]!.runKey)?.source.partitionKeyPath };
        // The only write of the plan, after every check has passed.
        if (!input.dryRun) await target.ensure({ abortSignal: signal, shape });
        return {
          scope,
          runs,
          windows: runs.reduce((n, r) => n + r.windows, 0),
          documents: runs.reduce((n, r) => n + (byRun.get(r.runKey)?.documents ?? 0), 0),
        };
      },
    ),

    restoreExportWindow: defineActivity(
      connections,
      async (input: RestoreExportWindowInput, tools): Promise<RestoreWindowResult> => {
        const { signal } = tools;
        const catalog = catalogOf(tools, input, input.scope);
        const record = await catalog.window(input.runKey, input.index, signal);
        const target = openStore(connections, input.kind, input.target, 'target.connection');
        if (!record.object) throw new NotFoundError(`window ${input.index} of run ${input.runKey} holds no object`);
        const result: RestoreWindowResult = { read: 0, upserted: 0, skipped: 0, deleted: 0 };
        const held = input.full ? new Set<string>() : undefined;
        const kept = async function* (): AsyncGenerator<ExportedDocument> {
          for await (const document of readWindowObject(catalog.container.getBlobClient(record.object!), record, {
            keys,
            abortSignal: signal,
          })) {
            result.read++;
            const time = target.timeOf(document);
            // A window straddling asOf: its later documents are not part of that state.
            if (!record.outside && time !== undefined && time >= input.asOfMs) {
              result.skipped++;
              continue;
            }
            held?.add(target.keyOf(document));
            yield document;
          }
        };
        result.upserted = await target.upsert(kept(), {
          abortSignal: signal,
          onProgress: (n) => tools.heartbeat({ upserted: n }),
        });
        if (held) {
          // Deletions no window can see: what the full export does not hold is gone from the source.
          const absent: string[] = [];
          for await (const key of target.keys({ abortSignal: signal })) if (!held.has(key)) absent.push(key);
          result.deleted = await target.delete(absent, { abortSignal: signal });
        }
        return result;
      },
    ),
  };
}
