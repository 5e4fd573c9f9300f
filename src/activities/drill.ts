// Restore drill activities: draw a seeded sample of the latest verified run's live blobs, then compare
// each restored blob's bytes with the catalog's hash (and with the live source where it is unchanged).
// The scratch container's life (create, delete) is in drill-scratch.ts.
import { md5OfBlob } from '../blob/verify';
import { writeNdjson } from '../catalog/ndjson-blob';
import { openCatalog, selectRun, type CatalogLocation } from '../catalog/queries';
import { isTombstone, type CatalogEntry } from '../domain/catalog-record';
import { normalizeVersion } from '../domain/backup-naming';
import { Sampler } from '../domain/sampling';
import { mapWithConcurrency } from '../lib/async-pool';
import type { ConnectionRegistry } from '../storage/connections';
import { statusCodeOf, unlessNotFound } from '../storage/errors';
import { defineActivity } from './toolkit';

export interface SampleRunInput extends CatalogLocation {
  /** Sample size: `count` items, or `percent` of the live items (capped at `maxItems`). */
  count?: number;
  percent?: number;
  maxItems: number;
  seed: number;
}

export interface CompareDrillInput extends CatalogLocation {
  runKey: string;
  names: string[];
  scratch: { connection: string; container: string };
  /** Also compare with the live source blob where it still has the backed-up version. */
  liveSource?: string;
  report: string;
}

export interface DrillMismatch {
  name: string;
  reason: string;
}

export function createDrillActivities(connections: ConnectionRegistry) {
  return {
    sampleRun: defineActivity(
      connections,
      async (input: SampleRunInput, tools): Promise<{ runKey: string; live: number; names: string[] }> => {
        const { signal } = tools;
        const store = openCatalog(tools.blob(input.backup, 'backup'), input);
        const run = await selectRun(store, {}, { abortSignal: signal });
        const sampler = new Sampler(input, input.seed);
        let live = 0;
        for await (const r of store.records(run.runKey, {}, signal)) {
          if (isTombstone(r)) continue;
          live++;
          sampler.offer(r.name);
        }
        return { runKey: run.runKey, live, names: sampler.picked() };
      },
    ),

    compareDrill: defineActivity(
      connections,
      async (
        input: CompareDrillInput,
        tools,
      ): Promise<{ checked: number; comparedWithSource: number; mismatches: DrillMismatch[] }> => {
        const { signal } = tools;
        tools.expectListeners(90);
        const store = openCatalog(tools.blob(input.backup, 'backup'), input);
        const wanted = new Set(input.names);
        const entries: CatalogEntry[] = [];
        for await (const r of store.records(input.runKey, {}, signal)) {
          if (!isTombstone(r) && wanted.has(r.name)) entries.push(r);
        }
        const scratch = tools
          .blob(input.scratch.connection, 'scratch.connection')
          .service.getContainerClient(input.scratch.container);
        const live = input.liveSource
          ? tools.blob(input.liveSource, 'liveSource').service.getContainerClient(input.source.container)
          : undefined;
        const mismatches: DrillMismatch[] = [];
        let comparedWithSource = 0;
        const lines: { name: string; ok: boolean; reason?: string }[] = [];
        await mapWithConcurrency(entries, 16, async (entry) => {
          const restored = scratch.getBlobClient(entry.name);
          let reason: string | undefined;
          try {
            const md5 = await md5OfBlob(restored, signal);
            if (entry.md5 && md5 !== entry.md5) reason = `restored bytes hash to ${md5}, the catalog says ${entry.md5}`;
            else if (live && !reason) {
              const source = live.getBlobClient(entry.name);
              const props = await unlessNotFound(source.getProperties({ abortSignal: signal }));
              if (props?.etag && normalizeVersion(props.etag) === entry.etag) {
                comparedWithSource++;
                const liveMd5 = await md5OfBlob(source, signal);
                if (liveMd5 !== md5)
                  reason = `restored bytes differ from the unchanged live blob (${md5} vs ${liveMd5})`;
              }
            }
          } catch (err) {
            if (statusCodeOf(err) !== 404) throw err;
            reason = 'not restored';
          }
          if (reason) mismatches.push({ name: entry.name, reason });
          lines.push({ name: entry.name, ok: !reason, reason });
          tools.heartbeat();
        });
        for (const name of wanted) {
          if (!entries.some((e) => e.name === name)) mismatches.push({ name, reason: 'not in the run any more' });
        }
        await writeNdjson(
          store.container.getBlockBlobClient(input.report),
          lines.sort((a, b) => (a.name < b.name ? -1 : 1)),
          { abortSignal: signal },
        );
        return { checked: entries.length, comparedWithSource, mismatches: mismatches.slice(0, 100) };
      },
    ),
  };
}
