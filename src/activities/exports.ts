// Windowed export activities (Cosmos DB, Mongo): prepare (check everything, then the only writes), export
// one window into the backup account or replicate it into a live target, and commit the run's manifest.
import { ExportCatalog } from '../catalog/export-catalog';
import { exportPaths, exportScope } from '../domain/catalog-layout';
import {
  EXPORT_MANIFEST_FORMAT,
  lastCompletedEndMs,
  type Compression,
  type DocumentKind,
  type ExportManifest,
  type ExportMode,
  type WindowRecord,
} from '../domain/export-manifest';
import { IncompleteRunError, InvalidInputError, NotFoundError } from '../domain/failures';
import type { DocumentStore, ExportedDocument } from '../exports/document-store';
import { objectExtension, writeWindowObject } from '../exports/window-object';
import type { KeyResolver } from '../pipeline/key-ring';
import type { ConnectionRegistry } from '../storage/connections';
import { openStore, type StoreAddress } from './document-stores';
import { requireAdfPipeline } from './adf';
import { windowPipeline } from '../adf/pipelines';
import { defineActivity, type ActivityTools } from './toolkit';

export interface PrepareExportInput {
  kind: DocumentKind;
  source: StoreAddress;
  mode: ExportMode;
  /** The backup account's connection and container: the objects (export, full) and the catalog. */
  backup?: string;
  backupContainer: string;
  /** Replica mode: where the documents go. */
  target?: StoreAddress;
  encryptionKey?: string;
  /** Mode adf: the factory that moves the windows; its pipeline must be deployed there. */
  adf?: string;
  /** The caller gave `from`: the oldest document's time is not looked up (on some servers a scan). */
  fromGiven?: boolean;
}

export interface PrepareExportResult {
  account: string;
  /** Where the catalog of this source lives (when there is a backup account). */
  scope?: string;
  partitionKeyPath?: string;
  /** The end of the newest committed run: where an incremental export starts. */
  lastCompletedEndMs?: number;
  /**
   * When the oldest document was written: where a first export starts. Looked up only when the range
   * starts there (no `from`, and no committed run to continue from, or a full export).
   */
  oldestTimeMs?: number;
  targetAccount?: string;
}

export interface ExportWindowInput {
  kind: DocumentKind;
  source: StoreAddress;
  window: { index: number; fromMs: number; toMs: number };
  /** window: the documents written in it; all: every document (full mode); outside: those no window sees. */
  pass: 'window' | 'all' | 'outside';
  runKey: string;
  scope: string;
  backup: string;
  backupContainer: string;
  compression: Compression;
  gzipLevel?: number;
  encryptionKey?: string;
  /** The window is moved by a Data Factory run (to a staging object the worker adopts), not read by the worker. */
  adf?: { connection: string; pollEveryMs?: number };
  /** With pass window: the documents no window sees go into this window's object too (counted apart). */
  withOutside?: boolean;
}

export interface ReplicateWindowInput {
  kind: DocumentKind;
  source: StoreAddress;
  target: StoreAddress;
  window: { index: number; fromMs: number; toMs: number };
  pass: 'window' | 'all' | 'outside';
}

export type CommitExportInput = Omit<ExportManifest, 'format' | 'finishedAt'> & {
  backupConnection: string;
  backupContainer: string;
  scope: string;
};

export interface ExportActivityDependencies {
  connections: ConnectionRegistry;
  keys: KeyResolver;
}

export function createExportActivities({ connections, keys }: ExportActivityDependencies) {
  const store = (kind: DocumentKind, address: StoreAddress, field: string) =>
    openStore(connections, kind, address, field);
  const catalogOf = (tools: ActivityTools, backup: string, backupContainer: string, scope: string) =>
    new ExportCatalog(tools.blob(backup, 'backup').service.getContainerClient(backupContainer), scope);

  return {
    prepareExport: defineActivity(
      connections,
      async (input: PrepareExportInput, tools): Promise<PrepareExportResult> => {
        const { signal } = tools;
        const source = store(input.kind, input.source, 'source.connection');
        if (!(await source.exists({ abortSignal: signal })))
          throw new NotFoundError(
            `source: ${input.source.database}/${input.source.container} does not exist in ${source.location.account} ` +
              `(connection ${JSON.stringify(input.source.connection)})`,
          );
        if (input.encryptionKey) await keys.resolve(input.encryptionKey, { abortSignal: signal });
        if (input.adf)
          await requireAdfPipeline(connections, input.adf, windowPipeline(input.kind), {
            field: 'adf',
            abortSignal: signal,
          });
        const target = input.target ? store(input.kind, input.target, 'target.connection') : undefined;
        if (target && sameLocation(target, source))
          throw new InvalidInputError('target', 'target: is the source itself; replicate into another container');
        const backup = input.backup ? tools.blob(input.backup, 'backup') : undefined;
        const { account, database, container } = source.location;
        const scope = backup ? exportScope(input.kind, account, database, container) : undefined;
        const partitionKeyPath =
          'keyPath' in source ? await (source as { keyPath(): Promise<string> }).keyPath() : undefined;
        // The only writes, after every check has passed: the backup container, and a replica's target.
        let lastEnd: number | undefined;
        if (backup && scope) {
          const bk = backup.service.getContainerClient(input.backupContainer);
          await bk.createIfNotExists({ abortSignal: signal });
          lastEnd = lastCompletedEndMs(await new ExportCatalog(bk, scope).manifests(signal));
        }
        if (target) {
          (target as { partitionKeyPath?: string }).partitionKeyPath ??= partitionKeyPath;
          await target.ensure({ abortSignal: signal });
        }
        const startsAtOldest = !input.fromGiven && (input.mode === 'full' || lastEnd === undefined);
        return {
          account,
          scope,
          partitionKeyPath,
          lastCompletedEndMs: lastEnd,
          oldestTimeMs: startsAtOldest ? await source.oldestTimeMs({ abortSignal: signal }) : undefined,
          targetAccount: target?.location.account,
        };
      },
    ),

    exportWindow: defineActivity(connections, async (input: ExportWindowInput, tools): Promise<WindowRecord> => {
      const { signal } = tools;
      const source = store(input.kind, input.source, 'source.connection');
      const key = input.encryptionKey ? await keys.resolve(input.encryptionKey, { abortSignal: signal }) : undefined;
      const catalog = catalogOf(tools, input.backup, input.backupContainer, input.scope);
      const ext = objectExtension({ compression: input.compression, encrypted: key !== undefined });
      const object = exportPaths.object(input.scope, input.runKey, input.window.index, ext);
      const outside = { documents: 0, sample: [] as string[] };
      const stored = await writeWindowObject(
        passOf(source, input, signal),
        catalog.container.getBlockBlobClient(object),
        { compression: input.compression, gzipLevel: input.gzipLevel, key },
        {
          abortSignal: signal,
          onProgress: (n) => tools.heartbeat({ documents: n }),
          onDocument: input.pass === 'outside' || input.withOutside ? tallyOutside(source, outside) : undefined,
        },
      );
      const record: WindowRecord = {
        ...input.window,
        ...stored,
        object,
        ...(input.pass === 'outside' ? { outside: true, sample: outside.sample } : {}),
        ...(input.withOutside ? { outsideDocuments: outside.documents, sample: outside.sample } : {}),
      };
      await catalog.writeWindow(input.runKey, record, signal);
      return record;
    }),

    replicateWindow: defineActivity(
      connections,
      async (input: ReplicateWindowInput, tools): Promise<{ documents: number }> => {
        const source = store(input.kind, input.source, 'source.connection');
        const target = store(input.kind, input.target, 'target.connection');
        const documents = await target.upsert(passOf(source, input, tools.signal), {
          abortSignal: tools.signal,
          onProgress: (n) => tools.heartbeat({ documents: n }),
        });
        return { documents };
      },
    ),

    commitExport: defineActivity(
      connections,
      async (input: CommitExportInput, tools): Promise<{ manifest: string }> => {
        const { backupConnection, backupContainer, scope, ...fields } = input;
        const catalog = catalogOf(tools, backupConnection, backupContainer, scope);
        if (input.mode !== 'replica') {
          const present = await catalog.windowIndices(input.runKey, tools.signal);
          const missing = Array.from({ length: input.windows }, (_, i) => i).filter((i) => !present.has(i));
          if (missing.length)
            throw new IncompleteRunError(
              `run ${input.runKey} exported ${input.windows} windows, but the records of windows ` +
                `${missing.slice(0, 10).join(', ')} are missing: the run is not committed, start it again`,
            );
        }
        const manifest: ExportManifest = {
          format: EXPORT_MANIFEST_FORMAT,
          ...fields,
          finishedAt: new Date().toISOString(),
        };
        return { manifest: await catalog.commit(manifest, tools.signal) };
      },
    ),
  };
}

function passOf(
  source: DocumentStore,
  input: { pass: ExportWindowInput['pass']; window: { fromMs: number; toMs: number }; withOutside?: boolean },
  abortSignal: AbortSignal,
): AsyncIterable<ExportedDocument> {
  if (input.pass === 'all') return source.readAll({ abortSignal });
  if (input.pass === 'outside') return source.readOutsideWindows?.({ abortSignal }) ?? emptyDocuments();
  return source.readWindow(input.window, { abortSignal, includeOutside: input.withOutside });
}

async function* emptyDocuments(): AsyncGenerator<ExportedDocument> {}

/** Counts the documents no window sees (no time), keeping the keys of the first five. */
function tallyOutside(store: DocumentStore, outside: { documents: number; sample: string[] }) {
  return (document: ExportedDocument) => {
    if (store.timeOf(document) !== undefined) return;
    outside.documents++;
    if (outside.sample.length < 5) outside.sample.push(store.keyOf(document));
  };
}

function sameLocation(a: DocumentStore, b: DocumentStore): boolean {
  return (
    a.kind === b.kind &&
    a.location.account === b.location.account &&
    a.location.database === b.location.database &&
    a.location.container === b.location.container
  );
}
