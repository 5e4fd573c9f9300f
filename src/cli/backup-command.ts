// `azbackup backup` / `azbackup reconcile`: start backupContainer or reconcileContainer (one run per
// source container at a time, by workflow id).
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { parseArgs } from 'node:util';
import { backupContainer } from '../workflows/backup-container';
import { reconcileContainer } from '../workflows/reconcile-container';
import { printProgressUntilDone } from './progress-command';
import { withClient, workflowUrl } from './temporal-client';

export async function runBackupCommand(args: string[], kind: 'backup' | 'reconcile' = 'backup'): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      source: { type: 'string' },
      container: { type: 'string' },
      backup: { type: 'string' },
      prefix: { type: 'string' },
      'backup-container': { type: 'string' },
      'workflow-id': { type: 'string' },
      'task-queue': { type: 'string' },
      mode: { type: 'string' },
      verify: { type: 'string' },
      'lease-mode': { type: 'boolean' },
      'no-snapshot': { type: 'boolean' },
      'max-requests-per-second': { type: 'string' },
      wait: { type: 'boolean', default: false },
    },
  });
  const missing = (['source', 'container', 'backup'] as const).filter((k) => !values[k]);
  if (missing.length) {
    console.error(`azbackup backup: missing ${missing.map((k) => `--${k}`).join(', ')}`);
    return 2;
  }
  const input = {
    source: values.source!,
    container: values.container!,
    backup: values.backup!,
    ...(values.prefix ? { prefix: values.prefix } : {}),
    ...(values['backup-container'] ? { backupContainer: values['backup-container'] } : {}),
    ...(values.mode ? { mode: values.mode as 'incremental' | 'full' } : {}),
    ...(values.verify ? { verify: values.verify as 'md5' | 'deep' | 'none' } : {}),
    ...(values['lease-mode'] ? { leaseMode: true } : {}),
    ...(values['no-snapshot'] ? { snapshot: false } : {}),
    // Left as given: the workflow validates it and names the field when it is wrong.
    ...(values['max-requests-per-second'] ? { maxRequestsPerSecond: Number(values['max-requests-per-second']) } : {}),
  };
  // The default id makes a second start for the same source fail while the first still runs.
  const workflowId =
    values['workflow-id'] ?? `${kind}-${input.source}-${input.container}${input.prefix ? `-${input.prefix}` : ''}`;
  return withClient(async (client, config) => {
    try {
      const workflow = kind === 'reconcile' ? reconcileContainer : backupContainer;
      const handle = await client.workflow.start(workflow, {
        taskQueue: values['task-queue'] ?? config.temporal.taskQueue,
        workflowId,
        args: [input],
        staticSummary: `${kind === 'reconcile' ? 'Reconcile' : 'Back up'} ${input.source}/${input.container}${input.prefix ? `/${input.prefix}` : ''} to ${input.backup}`,
      });
      console.log(`Started ${workflowId} (run ${handle.firstExecutionRunId}).`);
      const url = workflowUrl(config, workflowId);
      if (url) console.log(`Temporal UI: ${url}`);
      if (!values.wait) return 0;
      const result = await printProgressUntilDone(handle);
      console.log(
        `Done: listed ${result.listed}, new ${result.new}, modified ${result.modified}, unchanged ${result.unchanged}, ` +
          `deleted ${result.deleted}, copied ${result.copied}, skipped ${result.skipped}, failed ${result.failed}, ` +
          `${result.bytesCopied} bytes; ${result.verified ? 'verified' : 'NOT verified'}. Manifest: ${result.manifest}`,
      );
      return result.verified ? 0 : 3;
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) {
        console.error(
          `azbackup backup: ${workflowId} is already running; watch it with: azbackup progress ${workflowId}`,
        );
        return 4;
      }
      throw err;
    }
  });
}
