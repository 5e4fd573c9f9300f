// `azbackup backup` / `azbackup reconcile`: start backupContainer or reconcileContainer (one run per
// source container at a time, by workflow id).
import { parseArgs } from 'node:util';
import { DEFAULT_BACKUP_CONTAINER } from '../domain/defaults';
import type { BackupContainerInput, BackupContainerResult, BackupProgress } from '../workflows/backup-container';
import { emit } from './output';
import { backupContainer } from '../workflows/backup-container';
import { reconcileContainer } from '../workflows/reconcile-container';
import { oneOf, optionalNumber, optionalString, requiredString, startOptions } from './cli-options';
import { backupProgress } from './progress-command';
import { modeOf } from './start-details';
import { startWorkflow, waitWithProgress } from './start-workflow';
import { withClient } from './temporal-client';

/** The backup's own flags (without --workflow-id, --task-queue, --wait): also what a schedule is made from. */
export const backupFlags = {
  source: { type: 'string' },
  container: { type: 'string' },
  backup: { type: 'string' },
  prefix: { type: 'string' },
  'backup-container': { type: 'string' },
  mode: { type: 'string' },
  verify: { type: 'string' },
  'lease-mode': { type: 'boolean' },
  'no-snapshot': { type: 'boolean' },
  'max-requests-per-second': { type: 'string' },
} as const;

/** The workflow input the flags describe (a reconcile takes the same, without --mode). */
export function backupInputFromFlags(values: Record<string, string | boolean | undefined>): BackupContainerInput {
  const prefix = optionalString(values, 'prefix');
  const backupContainerName = optionalString(values, 'backup-container');
  const mode = oneOf(values, 'mode', ['incremental', 'full'] as const);
  const verify = oneOf(values, 'verify', ['md5', 'deep', 'none'] as const);
  const maxRequestsPerSecond = optionalNumber(values, 'max-requests-per-second');
  return {
    source: requiredString(values, 'source'),
    container: requiredString(values, 'container'),
    backup: requiredString(values, 'backup'),
    ...(prefix ? { prefix } : {}),
    ...(backupContainerName ? { backupContainer: backupContainerName } : {}),
    ...(mode ? { mode } : {}),
    ...(verify ? { verify } : {}),
    ...(values['lease-mode'] ? { leaseMode: true } : {}),
    ...(values['no-snapshot'] ? { snapshot: false } : {}),
    ...(maxRequestsPerSecond !== undefined ? { maxRequestsPerSecond } : {}),
  };
}

export async function runBackupCommand(args: string[], kind: 'backup' | 'reconcile' = 'backup'): Promise<number> {
  const { values } = parseArgs({ args, options: { ...backupFlags, ...startOptions } });
  const input = backupInputFromFlags(values);
  // The default id makes a second start for the same source fail while the first still runs.
  const workflowId =
    optionalString(values, 'workflow-id') ??
    `${kind}-${input.source}-${input.container}${input.prefix ? `-${input.prefix}` : ''}`;
  const where = `${input.source}/${input.container}${input.prefix ? `/${input.prefix}` : ''}`;
  return withClient(async (client, config) => {
    const common = {
      command: kind,
      workflowId,
      taskQueue: optionalString(values, 'task-queue'),
      details: {
        source: where,
        target: `${input.backup}/${input.backupContainer ?? DEFAULT_BACKUP_CONTAINER}`,
        mode: modeOf({
          [input.mode ?? 'incremental']: true,
          verify: input.verify ?? 'md5',
          'lease mode': input.leaseMode,
          'no snapshot': input.snapshot === false,
        }),
      },
      names: {
        connections: { '--source': input.source, '--backup': input.backup },
        containers: { '--container': input.container, '--backup-container': input.backupContainer },
      },
    };
    const handle =
      kind === 'reconcile'
        ? await startWorkflow(client, config, {
            ...common,
            workflow: reconcileContainer,
            input,
            summary: `Reconcile ${where} with ${input.backup}`,
          })
        : await startWorkflow(client, config, {
            ...common,
            workflow: backupContainer,
            input,
            summary: `Back up ${where} to ${input.backup}`,
          });
    if (!handle) return 4;
    if (!values.wait) return 0;
    // A reconcile runs its backup as a child, which is what answers the progress query.
    const from = kind === 'reconcile' ? client.workflow.getHandle(`${workflowId}/reconcile`) : handle;
    const result = await waitWithProgress<BackupContainerResult, BackupProgress>(handle, { ...backupProgress, from });
    emit(
      { workflowId: handle.workflowId, result: result },
      () =>
        `Done: listed ${result.listed}, new ${result.new}, modified ${result.modified}, unchanged ${result.unchanged}, ` +
        `deleted ${result.deleted}, copied ${result.copied}, skipped ${result.skipped}, failed ${result.failed}, ` +
        `${result.bytesCopied} bytes; ${result.verified ? 'verified' : 'NOT verified'}. Manifest: ${result.manifest}`,
    );
    return result.verified ? 0 : 3;
  });
}
