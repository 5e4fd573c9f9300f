// `azbackup restore`: start restoreContainer for a backed-up source, as of a run or a time, into the
// original container or another (one restore per target container at a time, by workflow id).
import { parseArgs } from 'node:util';
import { emit } from './output';
import { loadConfig } from '../config/load';
import {
  restoreContainer,
  type RestoreContainerInput,
  type RestoreContainerResult,
  type RestoreProgress,
} from '../workflows/restore-container';
import {
  catalogLocation,
  catalogLocationOptions,
  oneOf,
  optionalInteger,
  optionalString,
  requiredString,
  startOptions,
  UsageError,
} from './cli-options';
import { restoreProgress } from './progress-command';
import { modeOf } from './start-details';
import { startWorkflow, waitWithProgress } from './start-workflow';
import { withClient } from './temporal-client';

export async function runRestoreCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      ...catalogLocationOptions,
      ...startOptions,
      to: { type: 'string' },
      'as-of': { type: 'string' },
      run: { type: 'string' },
      prefix: { type: 'string' },
      blob: { type: 'string', multiple: true },
      overwrite: { type: 'string' },
      verify: { type: 'string' },
      'include-deleted': { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      concurrency: { type: 'string' },
    },
  });
  const location = catalogLocation(values, loadConfig());
  const target = parseTarget(requiredString(values, 'to'));
  const input: RestoreContainerInput = {
    backup: location.backup,
    backupContainer: location.backupContainer,
    source: location.source,
    target,
    asOf: optionalString(values, 'as-of'),
    run: optionalString(values, 'run'),
    prefix: optionalString(values, 'prefix'),
    blobs: values.blob,
    overwrite: oneOf(values, 'overwrite', ['never', 'ifNewer', 'always'] as const),
    verify: oneOf(values, 'verify', ['md5', 'deep'] as const),
    includeDeleted: values['include-deleted'],
    dryRun: values['dry-run'],
    concurrency: optionalInteger(values, 'concurrency'),
  };
  // Undefined fields are dropped by the payload converter; the workflow validates the rest by field name.
  const workflowId = optionalString(values, 'workflow-id') ?? `restore-${target.connection}-${target.container}`;
  return withClient(async (client, config) => {
    const handle = await startWorkflow(client, config, {
      command: 'restore',
      workflow: restoreContainer,
      input,
      names: {
        connections: { '--backup': input.backup, '--to (connection)': target.connection },
        containers: {
          '--container': location.source.container,
          '--backup-container': input.backupContainer,
          '--to (container)': target.container,
        },
      },
      workflowId,
      taskQueue: optionalString(values, 'task-queue'),
      details: {
        source: `${input.backup}: catalog of ${location.source.account}/${location.source.container}`,
        target: `${target.connection}/${target.container}`,
        mode: modeOf({
          run: input.run,
          'as of': input.asOf,
          prefix: input.prefix,
          blobs: input.blobs?.length,
          overwrite: input.overwrite ?? 'never',
          'include deleted': input.includeDeleted,
          'dry run': input.dryRun,
        }),
      },
      summary:
        `Restore ${location.source.account}/${location.source.container} ` +
        `(${input.run ?? (input.asOf ? `as of ${input.asOf}` : 'latest verified run')}) into ${target.connection}/${target.container}` +
        (input.dryRun ? ' (dry run)' : ''),
    });
    if (!handle) return 4;
    if (!values.wait) return 0;
    const r = await waitWithProgress<RestoreContainerResult, RestoreProgress>(handle, restoreProgress);
    emit(
      { workflowId: handle.workflowId, result: r },
      () =>
        `Done${r.dryRun ? ' (dry run: nothing written)' : ''}: run ${r.runKey} (started ${r.runStartedAt}), ` +
        `${r.matched} matched, ${r.restored} ${r.dryRun ? 'would be restored' : 'restored'}, ${r.skipped} skipped, ` +
        `${r.failed} failed, ${r.bytesRestored} bytes. Report: ${r.report}`,
    );
    return r.failed ? 3 : 0;
  });
}

/** `connection/container`: where to restore. */
function parseTarget(value: string): RestoreContainerInput['target'] {
  const slash = value.indexOf('/');
  if (slash <= 0 || slash === value.length - 1 || value.indexOf('/', slash + 1) !== -1)
    throw new UsageError(`--to must be <connection>/<container> (got ${JSON.stringify(value)})`);
  return { connection: value.slice(0, slash), container: value.slice(slash + 1) };
}
