// A window a Data Factory run exported (azbackup-cosmos-window / azbackup-mongo-window write plain NDJSON to
// a staging object in the backup account) becomes the window's object exactly as the worker's own export
// makes it: streamed through the same chain (compress, encrypt, hash), recorded in the catalog, and only
// then is the staging object removed. The run's own count of documents must match what landed.
import { ExportCatalog } from '../catalog/export-catalog';
import { exportPaths } from '../domain/catalog-layout';
import type { WindowRecord } from '../domain/export-manifest';
import { IncompleteRunError } from '../domain/failures';
import type { ExportedDocument } from '../exports/document-store';
import { objectExtension, writeWindowObject } from '../exports/window-object';
import { readBlob } from '../pipeline/blob-source';
import type { KeyResolver } from '../pipeline/key-ring';
import { decodeNdjson } from '../pipeline/ndjson';
import type { ConnectionRegistry } from '../storage/connections';
import { unlessNotFound } from '../storage/errors';
import type { ExportWindowInput } from './exports';
import { defineActivity } from './toolkit';

export interface AdoptAdfWindowInput extends ExportWindowInput {
  /** Documents the run says it copied (its rowsCopied), when it says. */
  rowsCopied?: number;
}

export function createAdfWindowActivities(connections: ConnectionRegistry, keys: KeyResolver) {
  return {
    adoptAdfWindow: defineActivity(connections, async (input: AdoptAdfWindowInput, tools): Promise<WindowRecord> => {
      const { signal } = tools;
      const container = tools.blob(input.backup, 'backup').service.getContainerClient(input.backupContainer);
      const catalog = new ExportCatalog(container, input.scope);
      const staging = container.getBlobClient(adfStagingPath(input));
      if (!(await unlessNotFound(staging.getProperties({ abortSignal: signal })))) {
        // An earlier attempt adopted it and removed the staging object: its record stands.
        const done = await unlessNotFound(catalog.window(input.runKey, input.window.index, signal));
        if (done) return done;
        throw new IncompleteRunError(
          `window ${input.window.index} of run ${input.runKey}: the Data Factory run wrote no ${staging.name}; ` +
            'the pipeline may be an older version (azbackup adf deploy) or the run was changed',
        );
      }
      const key = input.encryptionKey ? await keys.resolve(input.encryptionKey, { abortSignal: signal }) : undefined;
      const ext = objectExtension({ compression: input.compression, encrypted: key !== undefined });
      const object = exportPaths.object(input.scope, input.runKey, input.window.index, ext);
      const documents = decodeNdjson<ExportedDocument>(readBlob(staging, { abortSignal: signal }));
      const stored = await writeWindowObject(
        documents,
        container.getBlockBlobClient(object),
        { compression: input.compression, gzipLevel: input.gzipLevel, key },
        { abortSignal: signal, onProgress: (n) => tools.heartbeat({ documents: n }) },
      );
      if (input.rowsCopied !== undefined && stored.documents !== input.rowsCopied)
        throw new IncompleteRunError(
          `window ${input.window.index} of run ${input.runKey}: the Data Factory run copied ${input.rowsCopied} ` +
            `documents, but ${stored.documents} landed in ${staging.name}; start the export again`,
        );
      const record: WindowRecord = { ...input.window, ...stored, object };
      await catalog.writeWindow(input.runKey, record, signal);
      await staging.deleteIfExists({ abortSignal: signal });
      return record;
    }),
  };
}

/** Where the run of this window writes (the pipeline's objectPath is `<backupContainer>/<this>`). */
export function adfStagingPath(input: Pick<ExportWindowInput, 'scope' | 'runKey' | 'window'>): string {
  return exportPaths.adfStaging(input.scope, input.runKey, input.window.index);
}
