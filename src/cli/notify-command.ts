// `azbackup notify`: a producer says it has just written data; the container's backup trigger starts a
// backup now, or folds the request into the one follow-up run if a backup is already going.
import { parseArgs } from 'node:util';
import type { BackupRequest } from '../domain/backup-request';
import { formatProblems } from '../domain/input-problems';
import { InvalidBackupRequestError, requestBackup } from '../triggers/request-backup';
import { optionalInteger, optionalString, requiredString, UsageError } from './cli-options';
import { nameProblems } from '../config/connection-refs';
import { workflowUrl, withClient } from './temporal-client';

export async function runNotifyCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      source: { type: 'string' },
      container: { type: 'string' },
      backup: { type: 'string' },
      'backup-container': { type: 'string' },
      prefix: { type: 'string' },
      blob: { type: 'string', multiple: true },
      'requested-by': { type: 'string' },
      'linger-seconds': { type: 'string' },
      'task-queue': { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const prefix = optionalString(values, 'prefix');
  const blobs = values.blob;
  if (prefix !== undefined && blobs?.length) throw new UsageError('give --prefix or --blob, not both');
  const requestedBy = optionalString(values, 'requested-by');
  const request: BackupRequest = {
    ...(prefix !== undefined ? { prefix } : {}),
    ...(blobs?.length ? { blobs } : {}),
    ...(requestedBy ? { requestedBy } : {}),
    at: new Date().toISOString(),
  };
  const backupContainer = optionalString(values, 'backup-container');
  const lingerSeconds = optionalInteger(values, 'linger-seconds');
  const trigger = {
    source: requiredString(values, 'source'),
    container: requiredString(values, 'container'),
    backup: requiredString(values, 'backup'),
    ...(backupContainer ? { backupContainer } : {}),
    ...(lingerSeconds !== undefined ? { lingerSeconds } : {}),
  };
  return withClient(async (client, config) => {
    // The same name checks as every start (connections of this config, of the right kind), before sending.
    const problems = nameProblems(config, {
      connections: { '--source': trigger.source, '--backup': trigger.backup },
      containers: { '--container': trigger.container, '--backup-container': trigger.backupContainer },
    });
    if (problems.length) throw new UsageError(`nothing sent: ${formatProblems(problems)}`);
    let sent;
    try {
      sent = await requestBackup(client, {
        taskQueue: optionalString(values, 'task-queue') ?? config.temporal.taskQueue,
        trigger,
        request,
      });
    } catch (err) {
      if (err instanceof InvalidBackupRequestError) throw new UsageError(err.message);
      throw err;
    }
    if (values.json) console.log(JSON.stringify({ ...sent, request }));
    else {
      console.log(
        `Backup requested: ${sent.workflowId} (run ${sent.runId}) will back up ${trigger.source}/${trigger.container}.`,
      );
      const url = workflowUrl(config, sent.workflowId);
      if (url) console.log(`Temporal UI: ${url}`);
    }
    return 0;
  });
}
