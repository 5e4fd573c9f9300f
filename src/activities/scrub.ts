// Scrub activities: every copy a run holds is read back and hashed against the catalog, so a flipped
// byte anywhere in a backup is found (a drill only reads its sample; md5 verification trusts stored
// hashes). Plan (which run, which pages), scrub one catalog page, finish (one report).
import type { BlobClient } from '@azure/storage-blob';
import { md5OfBlob } from '../blob/verify';
import { readNdjson, writeNdjson } from '../catalog/ndjson-blob';
import { openCatalog, selectRun, type CatalogLocation } from '../catalog/queries';
import { listStaging, mergeNdjsonBlobs, deleteBlobs } from '../catalog/staging';
import type { RunSelector } from '../domain/as-of';
import { catalogPaths, scrubStaging } from '../domain/catalog-layout';
import { isTombstone, type CatalogEntry, type CatalogRecord } from '../domain/catalog-record';
import type { RunSummary } from '../domain/run-manifest';
import { emptyScrubCounts, type ScrubCounts } from '../domain/scrub-counts';
import { mapWithConcurrency } from '../lib/async-pool';
import type { ConnectionRegistry } from '../storage/connections';
import { statusCodeOf } from '../storage/errors';
import { defineActivity } from './toolkit';

export interface PlanScrubInput extends CatalogLocation, RunSelector {}

export interface ScrubPlan {
  run: RunSummary;
  /** Catalog page indices of the run, in order. */
  pages: number[];
}

export interface ScrubPageInput extends CatalogLocation {
  runKey: string;
  scrubKey: string;
  pageIndex: number;
  concurrency: number;
  maxRequestsPerSecond?: number;
}

export interface ScrubProblem {
  name: string;
  copy: string;
  reason: string;
}

export function createScrubActivities(connections: ConnectionRegistry) {
  return {
    planScrub: defineActivity(connections, async (input: PlanScrubInput, tools): Promise<ScrubPlan> => {
      const store = openCatalog(tools.blob(input.backup, 'backup'), input);
      const run = await selectRun(store, input, { abortSignal: tools.signal });
      const prefix = catalogPaths.pagesPrefix(store.scope, run.runKey);
      const pages: number[] = [];
      for await (const b of store.container.listBlobsFlat({ prefix, abortSignal: tools.signal }))
        pages.push(Number(b.name.slice(prefix.length).split('.')[0]));
      return { run, pages: pages.sort((a, b) => a - b) };
    }),

    scrubPage: defineActivity(connections, async (input: ScrubPageInput, tools): Promise<ScrubCounts> => {
      const { signal } = tools;
      tools.expectListeners(input.concurrency * 2);
      const backup = tools.blob(input.backup, 'backup', { maxRequestsPerSecond: input.maxRequestsPerSecond });
      const store = openCatalog(backup, input);
      const chunk = store.container.getBlobClient(catalogPaths.page(store.scope, input.runKey, input.pageIndex));
      const entries: CatalogEntry[] = [];
      for await (const r of readNdjson<CatalogRecord>(chunk, signal)) if (!isTombstone(r)) entries.push(r);
      const counts = emptyScrubCounts();
      const problems: ScrubProblem[] = [];
      await mapWithConcurrency(entries, input.concurrency, async (entry) => {
        const problem = await scrubOne(store.container.getBlobClient(entry.copy), entry, signal);
        counts.checked++;
        counts.bytesRead += entry.size;
        if (problem === 'missing') counts.missing++;
        else if (problem) counts.mismatched++;
        if (problem)
          problems.push({
            name: entry.name,
            copy: entry.copy,
            reason: problem === 'missing' ? 'the copy is missing' : problem,
          });
        tools.heartbeat({ checked: counts.checked });
      });
      if (problems.length)
        await writeNdjson(
          store.container.getBlockBlobClient(
            catalogPaths.scrubPageReport(store.scope, input.scrubKey, input.pageIndex),
          ),
          problems.sort((a, b) => (a.name < b.name ? -1 : 1)),
          { abortSignal: signal },
        );
      return counts;
    }),

    finishScrub: defineActivity(
      connections,
      async (
        input: CatalogLocation & { scrubKey: string },
        tools,
      ): Promise<{ report: string; problems: ScrubProblem[] }> => {
        const options = { abortSignal: tools.signal, onProgress: () => tools.heartbeat() };
        const store = openCatalog(tools.blob(input.backup, 'backup'), input);
        const report = catalogPaths.scrubReport(store.scope, input.scrubKey);
        const staged = await listStaging(store.container, scrubStaging(store.scope, input.scrubKey), options);
        await mergeNdjsonBlobs(store.container, staged.reports, report, options);
        await deleteBlobs(store.container, staged.reports, options);
        const problems: ScrubProblem[] = [];
        for await (const p of readNdjson<ScrubProblem>(store.container.getBlobClient(report), tools.signal)) {
          if (problems.length === 20) break;
          problems.push(p);
        }
        return { report, problems };
      },
    ),
  };
}

/** Undefined when the copy's bytes hash to the catalog's MD5; else 'missing' or what differs. */
async function scrubOne(copy: BlobClient, entry: CatalogEntry, signal: AbortSignal) {
  try {
    const props = await copy.getProperties({ abortSignal: signal });
    if (props.contentLength !== entry.size) return `size ${props.contentLength} bytes, the catalog says ${entry.size}`;
    if (!entry.md5) return 'the catalog holds no MD5 to compare with';
    const md5 = await md5OfBlob(copy, signal, props.etag);
    return md5 === entry.md5 ? undefined : `bytes hash to ${md5}, the catalog says ${entry.md5}`;
  } catch (err) {
    if (statusCodeOf(err) === 404) return 'missing' as const;
    throw err;
  }
}
