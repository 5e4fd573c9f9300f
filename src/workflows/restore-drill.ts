// restoreDrill: proves the latest backup restorable. Restores a seeded random sample into a scratch
// container (through restoreContainer, the code path a real restore takes), compares bytes with the
// catalog's hashes and the live source, cleans up, and fails on any mismatch. Made for a schedule.
import { ApplicationFailure, executeChild, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { DrillMismatch } from '../activities/drill';
import type { BackedUpSource } from '../catalog/queries';
import { catalogPaths, catalogScope, runKey } from '../domain/catalog-layout';
import { DEFAULT_BACKUP_CONTAINER, DEFAULT_DRILL_SAMPLE, MAX_RESTORE_BLOBS } from '../domain/defaults';
import { drillInputProblems } from '../domain/drill-input';
import { restoreContainer } from './restore-container';
import { trackRun } from './run-status';
import { activityOptions, rejectInvalidInput } from './workflow-rules';

export interface RestoreDrillInput {
  backup: string;
  backupContainer?: string;
  source: BackedUpSource;
  /** How many live items to restore (default 20), or a percentage of them; at most 1,000. */
  sample?: { count?: number; percent?: number; seed?: number };
  /**
   * Where to restore the sample (default: a new container in the backup account). The container must not
   * exist: the drill creates it and removes it afterwards.
   */
  scratch?: { connection: string; container?: string };
  /** Connection of the live source: unchanged blobs are also compared with it. */
  liveSource?: string;
  keepScratch?: boolean;
}

export interface RestoreDrillResult {
  runKey: string;
  seed: number;
  sampled: number;
  restored: number;
  checked: number;
  comparedWithSource: number;
  mismatches: DrillMismatch[];
  report: string;
}

const { prepareDrillScratch, sampleRun, compareDrill, deleteScratch } = proxyActivities<Activities>(
  activityOptions('1 hour'),
);

export async function restoreDrill(input: RestoreDrillInput): Promise<RestoreDrillResult> {
  rejectInvalidInput('restoreDrill', drillInputProblems(input));
  const info = workflowInfo();
  const key = runKey(Date.now(), info.firstExecutionRunId);
  // Workflow Math.random is seeded by Temporal: deterministic on replay, different per drill.
  const seed = input.sample?.seed ?? Math.floor(Math.random() * 2 ** 31);
  const backupContainer = input.backupContainer ?? DEFAULT_BACKUP_CONTAINER;
  const location = { backup: input.backup, backupContainer, source: input.source };
  const scope = catalogScope(input.source.account, input.source.container, input.source.prefix);
  const scratch = {
    connection: input.scratch?.connection ?? input.backup,
    container: input.scratch?.container ?? `drill-${key.slice(0, 15).toLowerCase()}-${key.slice(-8)}`,
  };
  const source = `${input.source.account}/${input.source.container}`;
  return trackRun({ kind: 'blob-restore-drill', source }, async () => {
    // Before anything is written: the scratch container must be new (not the backup, not the source, not
    // anyone's), since it is deleted afterwards. Created here, tagged with this drill's key.
    await prepareDrillScratch({ ...location, scratch: { ...scratch, drillKey: key }, liveSource: input.liveSource });
    let sample: { runKey: string; names: string[] };
    let restored = 0;
    let compared: { checked: number; comparedWithSource: number; mismatches: DrillMismatch[] };
    let report: string;
    try {
      sample = await sampleRun({
        ...location,
        count: input.sample?.percent === undefined ? (input.sample?.count ?? DEFAULT_DRILL_SAMPLE) : undefined,
        percent: input.sample?.percent,
        maxItems: MAX_RESTORE_BLOBS,
        seed,
      });
      if (sample.names.length === 0)
        throw ApplicationFailure.nonRetryable('The latest run has no live items to drill', 'EmptyRun');
      report = catalogPaths.drillReport(scope, sample.runKey, key);
      const r = await executeChild(restoreContainer, {
        workflowId: `${info.workflowId}/restore`,
        args: [{ ...location, run: sample.runKey, blobs: sample.names, target: scratch, overwrite: 'always' }],
      });
      restored = r.restored;
      compared = await compareDrill({
        ...location,
        runKey: sample.runKey,
        names: sample.names,
        scratch,
        liveSource: input.liveSource,
        report,
      });
    } finally {
      // Deletes only a container carrying this drill's tag: never one the drill did not create.
      if (!input.keepScratch) await deleteScratch({ ...scratch, drillKey: key });
    }
    const result: RestoreDrillResult = {
      runKey: sample.runKey,
      seed,
      sampled: sample.names.length,
      restored,
      ...compared,
      report,
    };
    if (result.mismatches.length) {
      throw ApplicationFailure.nonRetryable(
        `Restore drill of run ${sample.runKey} (seed ${seed}) found ${result.mismatches.length} mismatch(es): ` +
          result.mismatches
            .slice(0, 5)
            .map((m) => `${m.name}: ${m.reason}`)
            .join('; '),
        'DrillMismatch',
        result,
      );
    }
    return result;
  });
}
