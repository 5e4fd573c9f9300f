// `azbackup retention`: start applyRetention for a backed-up source (forget runs, collect unreferenced
// copies after a grace period, optionally prune azbackup's source snapshots). One per source at a time.
import { parseArgs } from 'node:util';
import { emit } from './output';
import { loadConfig } from '../config/load';
import type { Config } from '../config/schema';
import type { RetentionPolicy } from '../domain/retention-policy';
import { applyRetention, type ApplyRetentionInput, type ApplyRetentionResult } from '../workflows/apply-retention';
import {
  catalogLocation,
  catalogLocationOptions,
  optionalInteger,
  optionalString,
  startOptions,
  UsageError,
} from './cli-options';
import { modeOf } from './start-details';
import { startWorkflow, waitWithProgress } from './start-workflow';
import { withClient } from './temporal-client';

const KEEP_FLAGS = {
  'keep-last': 'keepLast',
  'keep-hourly': 'keepHourly',
  'keep-daily': 'keepDaily',
  'keep-weekly': 'keepWeekly',
  'keep-monthly': 'keepMonthly',
  'keep-yearly': 'keepYearly',
} as const;

/** Retention's own flags (without --workflow-id, --task-queue, --wait): also what a schedule is made from. */
export const retentionFlags = {
  ...catalogLocationOptions,
  ...Object.fromEntries(Object.keys(KEEP_FLAGS).map((f) => [f, { type: 'string' }] as const)),
  'keep-within': { type: 'string' },
  'prune-snapshots': { type: 'boolean' },
  'snapshot-max-age-days': { type: 'string' },
  'snapshot-keep-newest': { type: 'string' },
  'grace-period-minutes': { type: 'string' },
  'grace-period-seconds': { type: 'string' },
  'dry-run': { type: 'boolean' },
} as const;

type Values = Record<string, string | boolean | undefined>;

/** The workflow input the flags describe; a --source is resolved to its account through the config. */
export function retentionInputFromFlags(values: Values, config: Config): ApplyRetentionInput {
  const location = catalogLocation(values, config);
  const policy: RetentionPolicy = { keepWithin: optionalString(values, 'keep-within') };
  for (const [flag, field] of Object.entries(KEEP_FLAGS)) policy[field] = optionalInteger(values, flag);
  let sourceSnapshots: ApplyRetentionInput['sourceSnapshots'];
  if (values['prune-snapshots']) {
    if (!location.sourceConnection)
      throw new UsageError('--prune-snapshots deletes snapshots on the source: name it with --source <connection>');
    sourceSnapshots = {
      source: location.sourceConnection,
      maxAgeDays: optionalInteger(values, 'snapshot-max-age-days'),
      keepNewest: optionalInteger(values, 'snapshot-keep-newest'),
    };
  }
  const graceMinutes = optionalInteger(values, 'grace-period-minutes');
  const graceSeconds = optionalInteger(values, 'grace-period-seconds');
  if (graceMinutes !== undefined && graceSeconds !== undefined)
    throw new UsageError('give --grace-period-minutes or --grace-period-seconds, not both');
  const grace = graceSeconds !== undefined ? graceSeconds * 1000 : graceMinutes && graceMinutes * 60_000;
  return JSON.parse(
    JSON.stringify({
      backup: location.backup,
      backupContainer: location.backupContainer,
      source: location.source,
      policy,
      sourceSnapshots,
      gracePeriodMs: grace,
      dryRun: values['dry-run'],
    }),
  ) as ApplyRetentionInput; // without the undefined fields, as a schedule stores it
}

export async function runRetentionCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { ...retentionFlags, ...startOptions } });
  const input = retentionInputFromFlags(values as Values, loadConfig());
  const location = { source: input.source };
  const { account, container } = location.source;
  return withClient(async (client, config) => {
    const handle = await startWorkflow(client, config, {
      command: 'retention',
      workflow: applyRetention,
      input,
      names: {
        connections: { '--backup': input.backup, '--source': input.sourceSnapshots?.source },
        containers: { '--container': container, '--backup-container': input.backupContainer },
      },
      workflowId: optionalString(values, 'workflow-id') ?? `retention-${account}-${container}`,
      taskQueue: optionalString(values, 'task-queue'),
      details: {
        source: `${input.backup}: catalog of ${account}/${container}`,
        target: `${input.backup}${input.sourceSnapshots ? ` and the snapshots on ${input.sourceSnapshots.source}` : ''}`,
        mode: modeOf({ ...input.policy, 'dry run': input.dryRun }),
      },
      summary: `Apply retention to the backups of ${account}/${container}${input.dryRun ? ' (dry run)' : ''}`,
    });
    if (!handle) return 4;
    if (!values.wait) return 0;
    const r = await waitWithProgress<ApplyRetentionResult, never>(handle);
    emit(
      { workflowId: handle.workflowId, result: r },
      () =>
        `Done${r.dryRun ? ' (dry run: nothing deleted)' : ''}: ${r.runsKept} runs kept, ${r.runsRemoved} removed` +
        `${r.removedRuns.length ? ` (${r.removedRuns.join(', ')})` : ''}; ${r.marked} objects unreferenced, ` +
        `${r.deleted} deleted (${r.bytesDeleted} bytes), ${r.keptAtSweep} kept at the sweep; ` +
        `${r.deletedSourceSnapshots} source snapshots deleted. Report: ${r.report}`,
    );
    return 0;
  });
}
