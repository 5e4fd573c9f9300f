// Reading and writing one scope's catalog in the backup container (used by the backup activities,
// later by restore and retention): committed runs, and a run's records for a name range.
import type { ContainerClient } from '@azure/storage-blob';
import { catalogPaths } from '../domain/catalog-layout';
import { compareNames, type CatalogRecord } from '../domain/catalog-record';
import type { RunManifest } from '../domain/run-manifest';
import { readJson, readNdjson } from '../storage/ndjson-blob';

/** A name range (lo, hi]: `lo` undefined is the start, `hi` undefined the end of the name space. */
export interface NameRange {
  lo?: string;
  hi?: string;
}

export function inRange(name: string, range: NameRange): boolean {
  return (
    (range.lo === undefined || compareNames(name, range.lo) > 0) &&
    (range.hi === undefined || compareNames(name, range.hi) <= 0)
  );
}

function overlaps(a: NameRange, b: NameRange): boolean {
  const startsBeforeEnd = a.lo === undefined || b.hi === undefined || compareNames(a.lo, b.hi) < 0;
  const endsAfterStart = a.hi === undefined || b.lo === undefined || compareNames(a.hi, b.lo) > 0;
  return startsBeforeEnd && endsAfterStart;
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
      if (overlaps(rangeFromMetadata(blob.metadata), range)) chunks.push(blob.name);
    }
    for (const chunk of chunks.sort()) {
      for await (const record of readNdjson<CatalogRecord>(this.container.getBlobClient(chunk), abortSignal)) {
        if (inRange(record.name, range)) yield record;
      }
    }
  }
}
