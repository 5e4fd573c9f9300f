// Committing a run: merge the page reports into one report blob, then write the manifest (last, and
// only if absent), then remove the run's staging files. Before the manifest exists the run does not count.
import { Context } from '@temporalio/activity';
import { catalogPaths } from '../domain/catalog-layout';
import { MANIFEST_FORMAT, type RunManifest } from '../domain/run-manifest';
import type { ConnectionRegistry } from '../storage/connections';
import { writeJson } from '../storage/ndjson-blob';
import { deleteBlobs, listStaging, mergeNdjsonBlobs } from './staging';
import { keepAlive } from './keep-alive';
import { resolveConnection, statusCodeOf } from './failures';

/** A run's staging folders, removed once its manifest is written. */
const STAGING = ['inventory/', 'progress/', 'reports/'] as const;

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
    commitRun(input: CommitRunInput): Promise<CommitRunResult> {
      return keepAlive(async () => {
        const backup = resolveConnection(
          () => connections.blob(input.backupConnection, { maxRequestsPerSecond: input.maxRequestsPerSecond }),
          'backup',
        );
        const abortSignal = Context.current().cancellationSignal;
        const container = backup.service.getContainerClient(input.backup.container);
        const run = catalogPaths.runPrefix(input.scope, input.runKey);
        const report = catalogPaths.report(input.scope, input.runKey);
        const staged = await listStaging(container, run, STAGING, abortSignal);
        await mergeNdjsonBlobs(container, staged['reports/'], report, abortSignal);
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
          await writeJson(manifestBlob, manifest, { createOnly: true, abortSignal });
        } catch (err) {
          if (statusCodeOf(err) !== 409) throw err; // committed by an earlier attempt
        }
        await deleteBlobs(container, Object.values(staged).flat(), abortSignal);
        return { manifest: manifestBlob.name, report, verified };
      });
    },
  };
}
