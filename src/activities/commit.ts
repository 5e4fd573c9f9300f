// Committing a run: merge the page reports into one report blob, then write the manifest (last, and
// only if absent), then remove the run's staging files. Before the manifest exists the run does not count.
import { writeJson } from '../catalog/ndjson-blob';
import { deleteBlobs, listStaging, mergeNdjsonBlobs } from '../catalog/staging';
import { catalogPaths, runStaging } from '../domain/catalog-layout';
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
