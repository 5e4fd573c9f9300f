// Committing a run: check that every page's chunk is there, merge the page reports into one report blob,
// then write the manifest (last, and only if absent), then remove the run's staging files. Before the
// manifest exists the run does not count; a manifest over missing chunks would claim data nobody holds.
import { writeJson } from '../catalog/ndjson-blob';
import { deleteBlobs, listStaging, mergeNdjsonBlobs } from '../catalog/staging';
import type { ContainerClient } from '@azure/storage-blob';
import { catalogPaths, runStaging } from '../domain/catalog-layout';
import { IncompleteRunError } from '../domain/failures';
import { MANIFEST_FORMAT, type RunManifest } from '../domain/run-manifest';
import type { ConnectionRegistry } from '../storage/connections';
import { statusCodeOf } from '../storage/errors';
import { defineActivity } from './toolkit';

export type CommitRunInput = Omit<RunManifest, 'format' | 'report' | 'finishedAt' | 'verified'> & {
  backupConnection: string;
  scope: string;
  /** The run's request cap (not recorded in the manifest). */
  maxRequestsPerSecond?: number;
};

export interface CommitRunResult {
  manifest: string;
  report: string;
  verified: boolean;
}

export function createCommitActivities(connections: ConnectionRegistry) {
  return {
    commitRun: defineActivity(connections, async (input: CommitRunInput, tools): Promise<CommitRunResult> => {
      const backup = tools.blob(input.backupConnection, 'backup', { maxRequestsPerSecond: input.maxRequestsPerSecond });
      const staging = { abortSignal: tools.signal, onProgress: () => tools.heartbeat() };
      const container = backup.service.getContainerClient(input.backup.container);
      const report = catalogPaths.report(input.scope, input.runKey);
      await requireEveryChunk(container, input, tools.signal);
      const staged = await listStaging(container, runStaging(input.scope, input.runKey), staging);
      await mergeNdjsonBlobs(container, staged.reports, report, staging);
      const { backupConnection: _b, scope: _s, maxRequestsPerSecond: _m, ...fields } = input;
      // `unverified` is absent from counts carried over by runs started before it existed.
      const verified = input.counts.failed === 0 && !input.counts.unverified && input.verify !== 'none';
      const manifest: RunManifest = {
        format: MANIFEST_FORMAT,
        ...fields,
        finishedAt: new Date().toISOString(),
        verified,
        report,
      };
      const manifestBlob = container.getBlockBlobClient(catalogPaths.manifest(input.scope, input.runKey));
      try {
        await writeJson(manifestBlob, manifest, { createOnly: true, abortSignal: tools.signal });
      } catch (err) {
        if (statusCodeOf(err) !== 409) throw err; // committed by an earlier attempt
      }
      await deleteBlobs(container, Object.values(staged).flat(), staging);
      return { manifest: manifestBlob.name, report, verified };
    }),
  };
}

/** Chunks 0..pages-1 must all be there (one listing); otherwise the run fails loudly, naming them. */
async function requireEveryChunk(container: ContainerClient, input: CommitRunInput, abortSignal: AbortSignal) {
  const prefix = catalogPaths.pagesPrefix(input.scope, input.runKey);
  const present = new Set<number>();
  for await (const b of container.listBlobsFlat({ prefix, abortSignal }))
    present.add(Number(b.name.slice(prefix.length).split('.')[0]));
  const missing: number[] = [];
  for (let i = 0; i < input.pages; i++) if (!present.has(i)) missing.push(i);
  if (missing.length === 0) return;
  throw new IncompleteRunError(
    `run ${input.runKey} counted ${input.pages} pages, but the catalog chunks of pages ${missing.slice(0, 10).join(', ')}` +
      `${missing.length > 10 ? ` and ${missing.length - 10} more` : ''} are missing from ${prefix}: they were deleted ` +
      'while the run worked (garbage collection with a too short abandonedAfterMs, or someone else); the run is not ' +
      'committed, start it again',
  );
}
