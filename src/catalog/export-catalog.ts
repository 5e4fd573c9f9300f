// One document container's export catalog in the backup container: committed runs (manifests, written
// last), and each window's record (bounds, count, digests, object, filters), written by the window's
// export before the run commits. Restores and the next incremental run read it here.
import type { ContainerClient } from '@azure/storage-blob';
import { exportPaths } from '../domain/catalog-layout';
import type { ExportManifest, WindowRecord } from '../domain/export-manifest';
import { NotFoundError } from '../domain/failures';
import { statusCodeOf } from '../storage/errors';
import { readJson, writeJson } from './ndjson-blob';

export class ExportCatalog {
  constructor(
    readonly container: ContainerClient,
    readonly scope: string,
  ) {}

  /** Committed runs, oldest first (by run key, which sorts by start time). */
  async manifests(abortSignal?: AbortSignal): Promise<ExportManifest[]> {
    const prefix = exportPaths.manifestsPrefix(this.scope);
    const names: string[] = [];
    try {
      for await (const b of this.container.listBlobsFlat({ prefix, abortSignal }))
        if (b.name.endsWith('.json')) names.push(b.name);
    } catch (err) {
      if (statusCodeOf(err) === 404) return []; // no backup container yet: no runs
      throw err;
    }
    const out: ExportManifest[] = [];
    for (const name of names.sort())
      out.push(await readJson<ExportManifest>(this.container.getBlobClient(name), abortSignal));
    return out;
  }

  async writeWindow(runKey: string, record: WindowRecord, abortSignal?: AbortSignal): Promise<void> {
    const blob = this.container.getBlockBlobClient(exportPaths.window(this.scope, runKey, record.index));
    await writeJson(blob, record, { abortSignal });
  }

  async window(runKey: string, index: number, abortSignal?: AbortSignal): Promise<WindowRecord> {
    const blob = this.container.getBlobClient(exportPaths.window(this.scope, runKey, index));
    try {
      return await readJson<WindowRecord>(blob, abortSignal);
    } catch (err) {
      if (statusCodeOf(err) === 404)
        throw new NotFoundError(`the catalog has no record of window ${index} of run ${runKey} (${blob.name})`);
      throw err;
    }
  }

  /** Indices of the windows a run has recorded so far. */
  async windowIndices(runKey: string, abortSignal?: AbortSignal): Promise<Set<number>> {
    const prefix = exportPaths.windowsPrefix(this.scope, runKey);
    const out = new Set<number>();
    for await (const b of this.container.listBlobsFlat({ prefix, abortSignal }))
      out.add(Number(b.name.slice(prefix.length).split('.')[0]));
    return out;
  }

  /** Writes the manifest, last and only once: before it exists the run does not count. */
  async commit(manifest: ExportManifest, abortSignal?: AbortSignal): Promise<string> {
    const blob = this.container.getBlockBlobClient(exportPaths.manifest(this.scope, manifest.runKey));
    try {
      await writeJson(blob, manifest, { createOnly: true, abortSignal });
    } catch (err) {
      if (statusCodeOf(err) !== 409) throw err; // committed by an earlier attempt
    }
    return blob.name;
  }
}
