// `azbackup drill`: start restoreDrill for a backed-up source: restore a random sample of the latest
// backup into a scratch container, compare bytes, clean up. Exit 3 when the drill finds a mismatch.
import { WorkflowFailedError } from '@temporalio/client';
import { emit } from './output';
import { ApplicationFailure } from '@temporalio/common';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load';
import type { Config } from '../config/schema';
import { restoreDrill, type RestoreDrillInput, type RestoreDrillResult } from '../workflows/restore-drill';
import {
  catalogLocation,
  catalogLocationOptions,
  optionalInteger,
  optionalNumber,
  optionalString,
  startOptions,
} from './cli-options';
import { modeOf } from './start-details';
import { startWorkflow, waitWithProgress } from './start-workflow';
import { withClient } from './temporal-client';

/** The drill's own flags (without --workflow-id, --task-queue, --wait): also what a schedule is made from. */
export const drillFlags = {
  ...catalogLocationOptions,
  count: { type: 'string' },
  percent: { type: 'string' },
  seed: { type: 'string' },
  'keep-scratch': { type: 'boolean' },
} as const;

/** The workflow input the flags describe; a --source is resolved to its account through the config. */
export function drillInputFromFlags(values: Record<string, string | boolean | undefined>, config: Config) {
  const location = catalogLocation(values, config);
  const input: RestoreDrillInput = {
    backup: location.backup,
    backupContainer: location.backupContainer,
    source: location.source,
    sample: {
      count: optionalInteger(values, 'count'),
      percent: optionalNumber(values, 'percent'),
      seed: optionalInteger(values, 'seed'),
    },
    // With the source connection named, unchanged blobs are also compared with the live source.
    liveSource: location.sourceConnection,
    keepScratch: values['keep-scratch'] as boolean | undefined,
  };
  return JSON.parse(JSON.stringify(input)) as RestoreDrillInput; // without the undefined fields
}

export async function runDrillCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { ...drillFlags, ...startOptions } });
  const input = drillInputFromFlags(values, loadConfig());
  const location = { source: input.source };
  const { account, container } = location.source;
  return withClient(async (client, config) => {
    const handle = await startWorkflow(client, config, {
      command: 'drill',
      workflow: restoreDrill,
      input,
      names: {
        connections: { '--backup': input.backup, '--source': input.liveSource },
        containers: { '--container': container, '--backup-container': input.backupContainer },
      },
      workflowId: optionalString(values, 'workflow-id') ?? `drill-${account}-${container}`,
      taskQueue: optionalString(values, 'task-queue'),
      details: {
        source: `${input.backup}: latest verified run of ${account}/${container}`,
        target: `a scratch container in ${input.backup}`,
        mode: modeOf(
          {
            count: input.sample?.count,
            percent: input.sample?.percent,
            seed: input.sample?.seed,
            'compared with live source': input.liveSource,
          },
          'default sample',
        ),
      },
      summary: `Restore drill of the latest backup of ${account}/${container}`,
    });
    if (!handle) return 4;
    if (!values.wait) return 0;
    try {
      const r = await waitWithProgress<RestoreDrillResult, never>(handle);
      emit(
        { workflowId: handle.workflowId, result: r },
        () =>
          `Drill passed: run ${r.runKey}, seed ${r.seed}: ${r.sampled} sampled, ${r.restored} restored, ` +
          `${r.checked} checked against the catalog, ${r.comparedWithSource} against the live source. Report: ${r.report}`,
      );
      return 0;
    } catch (err) {
      const cause = err instanceof WorkflowFailedError ? err.cause : undefined;
      if (cause instanceof ApplicationFailure && cause.type === 'DrillMismatch') {
        console.error(`Drill FAILED: ${cause.message}`);
        return 3;
      }
      throw err;
    }
  });
}
