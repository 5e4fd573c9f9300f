// Two-phase garbage collection of one source container's backup objects. Mark lists what no committed
// or running backup references; after a grace period, sweep deletes those still unreferenced and not
// written since the mark (a conditional delete), so a backup running meanwhile never loses a copy.
import type { ContainerClient } from '@azure/storage-blob';
import { readJson, readNdjson, writeNdjson } from '../catalog/ndjson-blob';
import { collectReferences, estimateReferences, type CatalogReferences, type RunDir } from '../catalog/references';
import { catalogPaths, containerDataPrefix, gcPaths } from '../domain/catalog-layout';
import { DEFAULT_MAX_REFERENCES_IN_MEMORY } from '../domain/defaults';
import { partitionOf } from '../domain/hash-partition';
import type { ConnectionRegistry } from '../storage/connections';
import { statusCodeOf } from '../storage/errors';
import type { RetentionPlan } from './retention';
import { defineActivity, type ActivityTools } from './toolkit';

export interface GarbageInput {
  backup: string;
  backupContainer: string;
  source: { account: string; container: string };
  /** Names this collection's files: `gc/<account>/<container>/<gcKey>/`. */
  gcKey: string;
  abandonedAfterMs: number;
  /**
   * Copy names held in memory at once (default 5,000,000, some 500 MB). Beyond it, references are
   * collected in hash partitions, one pass over the catalogs and the backup objects each.
   */
  maxReferencesInMemory?: number;
}

export interface MarkGarbageInput extends GarbageInput {
  /** Dry run: treat the runs this plan would remove as already gone. */
  dryRunPlan?: string;
}

export interface MarkGarbageResult {
  candidates: string;
  /** Backup objects no run references. */
  count: number;
  bytes: number;
  /** Files of forgotten or abandoned runs' catalogs. */
  catalogFiles: number;
  markedAt: string;
}

export interface SweepGarbageInput extends GarbageInput {
  markedAt: string;
  dryRun: boolean;
}

export interface SweepGarbageResult {
  /** Backup objects deleted. */
  deleted: number;
  bytesDeleted: number;
  catalogFilesDeleted: number;
  /** Marked, but referenced or rewritten since: left alone. */
  kept: number;
  report: string;
}

interface Candidate {
  name: string;
  size: number;
  /** 'object': a backup copy; 'catalog': a file of a forgotten or abandoned run. */
  kind: 'object' | 'catalog';
  run?: string;
}

const open = (input: GarbageInput, tools: ActivityTools) =>
  tools.blob(input.backup, 'backup').service.getContainerClient(input.backupContainer);

/** The service's time now, less a second (Last-Modified has whole seconds): a marker blob's Last-Modified. */
async function serviceTime(container: ContainerClient, input: GarbageInput, abortSignal: AbortSignal) {
  const marker = container.getBlockBlobClient(gcPaths.mark(input.source.account, input.source.container, input.gcKey));
  const written = await marker.upload('', 0, { abortSignal });
  return new Date(written.lastModified!.getTime() - 1000);
}

const candidatesOf = (input: GarbageInput) =>
  gcPaths.candidates(input.source.account, input.source.container, input.gcKey);

export function createGarbageActivities(connections: ConnectionRegistry) {
  return {
    markGarbage: defineActivity(connections, async (input: MarkGarbageInput, tools): Promise<MarkGarbageResult> => {
      const { signal } = tools;
      const container = open(input, tools);
      // Taken before anything is read, by the storage service's clock (the one Last-Modified and the sweep's
      // If-Unmodified-Since use; the worker's may be off): whatever is written after it is never deleted.
      const markedAt = await serviceTime(container, input, signal);
      const plan = input.dryRunPlan
        ? await readJson<RetentionPlan>(container.getBlobClient(input.dryRunPlan))
        : undefined;
      const partitions = await partitionCount(container, input, signal);
      let count = 0;
      let bytes = 0;
      let catalogFiles = 0;
      const candidates = container.getBlockBlobClient(candidatesOf(input));
      await writeNdjson(
        candidates,
        (async function* () {
          for await (const c of unreferenced(container, input, partitions, plan?.remove, tools)) {
            if (c.kind === 'catalog') catalogFiles++;
            else {
              count++;
              bytes += c.size;
            }
            yield c;
          }
        })(),
        { abortSignal: signal, metadata: { markedat: markedAt.toISOString() } },
      );
      return { candidates: candidates.name, count, bytes, catalogFiles, markedAt: markedAt.toISOString() };
    }),

    sweepGarbage: defineActivity(connections, async (input: SweepGarbageInput, tools): Promise<SweepGarbageResult> => {
      const { signal } = tools;
      const container = open(input, tools);
      const partitions = await partitionCount(container, input, signal);
      const report = gcPaths.report(input.source.account, input.source.container, input.gcKey, input.dryRun);
      const result: SweepGarbageResult = { deleted: 0, bytesDeleted: 0, catalogFilesDeleted: 0, kept: 0, report };
      const markedAt = new Date(input.markedAt);
      await writeNdjson(
        container.getBlockBlobClient(report),
        (async function* () {
          const marked = container.getBlobClient(candidatesOf(input));
          // One pass over the marked candidates per partition, each against that partition's references.
          for (let index = 0; index < partitions; index++) {
            const refs = await references(container, input, tools, { index, count: partitions });
            const garbageRuns = new Set(refs.runs.filter((r) => r.state === 'garbage').map((r) => r.runKey));
            for await (const c of readNdjson<Candidate>(marked, signal)) {
              // Catalog files are decided in the first pass, objects in their own partition's.
              if (c.kind === 'object' ? partitionOf(c.name, partitions) !== index : index !== 0) continue;
              const stillGarbage = c.kind === 'object' ? !refs.copies.has(c.name) : garbageRuns.has(c.run!);
              if (!stillGarbage) {
                result.kept++;
                continue;
              }
              if (!input.dryRun) {
                try {
                  // Conditional: a copy rewritten after the mark (a backup running now) stays.
                  await container.deleteBlob(c.name, {
                    conditions: { ifUnmodifiedSince: markedAt },
                    deleteSnapshots: 'include',
                    abortSignal: signal,
                  });
                } catch (err) {
                  const status = statusCodeOf(err);
                  if (status === 412) {
                    result.kept++;
                    continue;
                  }
                  if (status !== 404) throw err;
                }
              }
              if (c.kind === 'catalog') result.catalogFilesDeleted++;
              else {
                result.deleted++;
                result.bytesDeleted += c.size;
              }
              tools.heartbeat();
              yield { ...c, deletedAt: new Date().toISOString() };
            }
          }
        })(),
        { abortSignal: signal },
      );
      return result;
    }),
  };
}

function references(
  container: ContainerClient,
  input: GarbageInput,
  tools: ActivityTools,
  partition: { index: number; count: number },
  assumeForgotten?: string[],
): Promise<CatalogReferences> {
  return collectReferences(container, input.source.account, input.source.container, {
    abandonedAfterMs: input.abandonedAfterMs,
    assumeForgotten: assumeForgotten ? new Set(assumeForgotten) : undefined,
    partition,
    now: new Date(),
    abortSignal: tools.signal,
    onProgress: () => tools.heartbeat(),
  });
}

async function partitionCount(container: ContainerClient, input: GarbageInput, abortSignal: AbortSignal) {
  const estimate = await estimateReferences(container, input.source.account, input.source.container, abortSignal);
  return Math.max(1, Math.ceil(estimate / (input.maxReferencesInMemory ?? DEFAULT_MAX_REFERENCES_IN_MEMORY)));
}

/** Backup objects no run references, partition by partition; then the files of garbage runs. */
async function* unreferenced(
  container: ContainerClient,
  input: GarbageInput,
  partitions: number,
  assumeForgotten: string[] | undefined,
  tools: ActivityTools,
): AsyncGenerator<Candidate> {
  const abortSignal = tools.signal;
  let listed = 0;
  const data = containerDataPrefix(input.source.account, input.source.container);
  let garbageRuns: RunDir[] = [];
  for (let index = 0; index < partitions; index++) {
    const partition = { index, count: partitions };
    const refs = await references(container, input, tools, partition, assumeForgotten);
    if (index === 0) garbageRuns = refs.runs.filter((r) => r.state === 'garbage');
    for await (const b of container.listBlobsFlat({ prefix: data, abortSignal })) {
      if (++listed % 5000 === 0) tools.heartbeat();
      if (partitionOf(b.name, partitions) === index && !refs.copies.has(b.name))
        yield { name: b.name, size: b.properties.contentLength ?? 0, kind: 'object' };
    }
  }
  for (const run of garbageRuns) {
    const prefix = catalogPaths.runPrefix(run.scope, run.runKey);
    for await (const b of container.listBlobsFlat({ prefix, abortSignal })) {
      yield { name: b.name, size: b.properties.contentLength ?? 0, kind: 'catalog', run: run.runKey };
    }
  }
}
