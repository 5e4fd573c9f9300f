// One scope's catalog in the backup container, as backups, restores, retention and the CLI read it:
// its committed runs (manifests), and a run's records for a name range, streamed chunk by chunk.
import type { ContainerClient } from '@azure/storage-blob';
import { gunzipSync } from 'node:zlib';
import { catalogPaths } from '../domain/catalog-layout';
import type { CatalogRecord } from '../domain/catalog-record';
import { inRange, rangesOverlap, type NameRange } from '../domain/name-range';
import type { RunManifest } from '../domain/run-manifest';
import { statusCodeOf } from '../storage/errors';
import { asCorrupt, NDJSON_GZIP_HEADERS, parseLine, readJson, readNdjson } from './ndjson-blob';

/** A run's catalog chunk as stored, parsed: a settled page's chunk is rewritten unchanged under a new run. */
export interface StoredChunk {
  range: NameRange;
  records: CatalogRecord[];
  /** The gzipped NDJSON as stored. */
  body: Buffer;
}

/** Chunk metadata carries the page's range, so readers find overlapping chunks with one listing. */
export function rangeMetadata(range: NameRange, count: number): Record<string, string> {
  const enc = (s: string | undefined) => (s === undefined ? '-' : Buffer.from(s, 'utf8').toString('base64url'));
  return { rangelo: enc(range.lo), rangehi: enc(range.hi), records: String(count) };
}

export function rangeFromMetadata(metadata: Record<string, string> | undefined): NameRange {
  const dec = (s: string | undefined) =>
    s === undefined || s === '-' ? undefined : Buffer.from(s, 'base64url').toString('utf8');
  return { lo: dec(metadata?.rangelo), hi: dec(metadata?.rangehi) };
}

export class CatalogStore {
  constructor(
    readonly container: ContainerClient,
    readonly scope: string,
  ) {}

  /** Committed runs, oldest first. */
  async listRuns(abortSignal?: AbortSignal): Promise<string[]> {
    const prefix = catalogPaths.manifestsPrefix(this.scope);
    const runs: string[] = [];
    for await (const blob of this.container.listBlobsFlat({ prefix, abortSignal })) {
      if (blob.name.endsWith('.json')) runs.push(blob.name.slice(prefix.length, -'.json'.length));
    }
    return runs.sort();
  }

  async latestRun(abortSignal?: AbortSignal): Promise<string | undefined> {
    return (await this.listRuns(abortSignal)).at(-1);
  }

  /** Every committed run's manifest, oldest first. */
  async manifests(abortSignal?: AbortSignal): Promise<RunManifest[]> {
    const out: RunManifest[] = [];
    for (const run of await this.listRuns(abortSignal)) out.push(await this.manifest(run, abortSignal));
    return out;
  }

  manifest(runKey: string, abortSignal?: AbortSignal): Promise<RunManifest> {
    return readJson<RunManifest>(this.container.getBlobClient(catalogPaths.manifest(this.scope, runKey)), abortSignal);
  }

  /** The run's records with names in `range`, in name order, streamed chunk by chunk. */
  async *records(runKey: string, range: NameRange = {}, abortSignal?: AbortSignal): AsyncGenerator<CatalogRecord> {
    const prefix = catalogPaths.pagesPrefix(this.scope, runKey);
    const chunks: string[] = [];
    for await (const blob of this.container.listBlobsFlat({ prefix, includeMetadata: true, abortSignal })) {
      if (rangesOverlap(rangeFromMetadata(blob.metadata), range)) chunks.push(blob.name);
    }
    for (const chunk of chunks.sort()) {
      for await (const record of readNdjson<CatalogRecord>(this.container.getBlobClient(chunk), abortSignal)) {
        if (inRange(record.name, range)) yield record;
      }
    }
  }

  /** The run's chunk with this page index, whole (a page is at most 5,000 records), if there is one. */
  async chunk(runKey: string, index: number, abortSignal?: AbortSignal): Promise<StoredChunk | undefined> {
    const blob = this.container.getBlobClient(catalogPaths.page(this.scope, runKey, index));
    try {
      const response = await blob.download(0, undefined, { abortSignal });
      const parts: Buffer[] = [];
      for await (const part of response.readableStreamBody!) parts.push(part as Buffer);
      const body = Buffer.concat(parts);
      let text: string;
      try {
        text = gunzipSync(body).toString('utf8');
      } catch (err) {
        throw asCorrupt(err, blob.name);
      }
      const records = text
        .split('\n')
        .filter(Boolean)
        .map((line) => parseLine<CatalogRecord>(line, blob.name));
      return { range: rangeFromMetadata(response.metadata), records, body };
    } catch (err) {
      if (statusCodeOf(err) === 404) return undefined;
      throw err;
    }
  }

  /** Writes a stored chunk, unchanged, as this run's chunk `index` covering `range`. */
  async copyChunk(
    chunk: StoredChunk,
    runKey: string,
    index: number,
    range: NameRange,
    abortSignal?: AbortSignal,
  ): Promise<void> {
    await this.container
      .getBlockBlobClient(catalogPaths.page(this.scope, runKey, index))
      .upload(chunk.body, chunk.body.length, {
        blobHTTPHeaders: NDJSON_GZIP_HEADERS,
        metadata: rangeMetadata(range, chunk.records.length),
        abortSignal,
      });
  }
}
