// `azbackup backup cosmos|mongo`, `azbackup restore cosmos|mongo`, `azbackup runs cosmos|mongo`: windowed
// exports of document databases, their restore, and the runs the catalog holds (read directly, no workflow).
import { parseArgs } from 'node:util';
import { emit } from './output';
import { ExportCatalog } from '../catalog/export-catalog';
import { loadConfig } from '../config/load';
import { exportScope } from '../domain/catalog-layout';
import { DEFAULT_BACKUP_CONTAINER } from '../domain/defaults';
import { COMPRESSIONS, EXPORT_MODES } from '../domain/export-manifest';
import { ConnectionRegistry } from '../storage/connections';
import { backupCosmosContainer, restoreCosmos } from '../workflows/backup-cosmos';
import { backupMongoCollection, restoreMongo } from '../workflows/backup-mongo';
import type { DocumentAddress, WindowedBackupResult, WindowedProgress } from '../workflows/windowed-backup';
import { windowedProgressQuery } from '../workflows/windowed-backup';
import type {
  WindowedRestoreInput,
  WindowedRestoreProgress,
  WindowedRestoreResult,
} from '../workflows/windowed-restore';
import { windowedRestoreProgressQuery } from '../workflows/windowed-restore';
import { oneOf, optionalInteger, optionalString, requiredString, startOptions, UsageError } from './cli-options';
import { modeOf } from './start-details';
import { startWorkflow, waitWithProgress } from './start-workflow';
import { withClient } from './temporal-client';

/** How each document API names its parts on the command line. */
const API = {
  'cosmos-sql': {
    flag: 'cosmos',
    part: 'container',
    backupWorkflow: backupCosmosContainer,
    restoreWorkflow: restoreCosmos,
  },
  mongo: { flag: 'mongo', part: 'collection', backupWorkflow: backupMongoCollection, restoreWorkflow: restoreMongo },
} as const;

export type DocumentCommandKind = keyof typeof API;

export function documentKindOf(word: string | undefined): DocumentCommandKind | undefined {
  return word === 'cosmos' ? 'cosmos-sql' : word === 'mongo' ? 'mongo' : undefined;
}

const formatBackup = (p: WindowedProgress) =>
  `${p.phase} ${p.windowsDone}/${p.windowsTotal} windows, ${p.documents} documents, ${p.storedBytes} bytes stored`;
const formatRestore = (p: WindowedRestoreProgress) =>
  `${p.phase} ${p.windows}/${p.plannedWindows} windows, ${p.upserted} documents written, ${p.deleted} removed`;

/** An export's own flags (without --workflow-id, --task-queue, --wait): also what a schedule is made from. */
export function documentBackupFlags(kind: DocumentCommandKind) {
  const api = API[kind];
  return {
    [api.flag]: { type: 'string' },
    database: { type: 'string' },
    [api.part]: { type: 'string' },
    backup: { type: 'string' },
    'backup-container': { type: 'string' },
    mode: { type: 'string' },
    to: { type: 'string' },
    from: { type: 'string' },
    until: { type: 'string' },
    'window-seconds': { type: 'string' },
    'settle-seconds': { type: 'string' },
    compression: { type: 'string' },
    'encryption-key': { type: 'string' },
  } as const;
}

/** The workflow input the flags describe, its source fields named as this API names them. */
export function documentBackupInputFromFlags(
  kind: DocumentCommandKind,
  values: Record<string, string | boolean | undefined>,
): Record<string, unknown> {
  const api = API[kind];
  const mode = oneOf(values, 'mode', EXPORT_MODES);
  const target = mode === 'replica' ? parseAddress(requiredString(values, 'to'), '--to') : undefined;
  const input = {
    [api.flag]: requiredString(values, api.flag),
    database: requiredString(values, 'database'),
    [api.part]: requiredString(values, api.part),
    backup: optionalString(values, 'backup'),
    backupContainer: optionalString(values, 'backup-container'),
    mode,
    target,
    from: optionalString(values, 'from'),
    to: optionalString(values, 'until'),
    windowSeconds: optionalInteger(values, 'window-seconds'),
    settleSeconds: optionalInteger(values, 'settle-seconds'),
    compression: oneOf(values, 'compression', COMPRESSIONS),
    encryptionKey: optionalString(values, 'encryption-key'),
  };
  return JSON.parse(JSON.stringify(input)) as Record<string, unknown>; // without the undefined fields
}

export async function runDocumentBackupCommand(kind: DocumentCommandKind, args: string[]): Promise<number> {
  const api = API[kind];
  const { values } = parseArgs({ args, options: { ...documentBackupFlags(kind), ...startOptions } });
  const input = documentBackupInputFromFlags(kind, values);
  const mode = input.mode as string | undefined;
  const target = input.target as DocumentAddress | undefined;
  const backup = input.backup as string | undefined;
  const backupContainer = input.backupContainer as string | undefined;
  const named = values as Record<string, string | boolean | undefined>;
  const source = `${named[api.flag]}/${named.database}/${named[api.part]}`;
  return withClient(async (client, config) => {
    const handle = await startWorkflow(client, config, {
      command: `backup ${api.flag}`,
      // The two APIs name their fields differently; the input was built with this API's names.
      workflow: api.backupWorkflow as (input: unknown) => Promise<WindowedBackupResult>,
      input: input as unknown,
      workflowId: optionalString(values, 'workflow-id') ?? `backup-${api.flag}-${source.replace(/\//g, '-')}`,
      taskQueue: optionalString(values, 'task-queue'),
      summary: `${mode === 'replica' ? 'Replicate' : 'Export'} ${source}`,
      details: {
        source,
        target: target
          ? `${target.connection}/${target.database}/${target.container}`
          : `${backup}/${backupContainer ?? DEFAULT_BACKUP_CONTAINER}`,
        mode: modeOf({
          [mode ?? 'export']: true,
          from: input.from as string | undefined,
          until: input.to as string | undefined,
          'encryption key': input.encryptionKey as string | undefined,
        }),
      },
      names: {
        connections: {
          [`--${api.flag}`]: { name: named[api.flag] as string, kind: api.flag },
          '--backup': backup,
          '--to (connection)': target && { name: target.connection, kind: api.flag },
        },
        containers: { '--backup-container': backupContainer },
      },
    });
    if (!handle) return 4;
    if (!values.wait) return 0;
    const r: WindowedBackupResult = await waitWithProgress(handle, {
      query: windowedProgressQuery,
      format: formatBackup,
    });
    emit(
      { workflowId: handle.workflowId, result: r },
      () =>
        `${r.mode} ${r.from} to ${r.to}: ${r.windows} windows, ${r.documents} documents, ` +
        `${r.plainBytes} bytes exported, ${r.storedBytes} stored${r.manifest ? `; manifest ${r.manifest}` : ''}`,
    );
    return 0;
  });
}

export async function runDocumentRestoreCommand(kind: DocumentCommandKind, args: string[]): Promise<number> {
  const api = API[kind];
  const { values } = parseArgs({
    args,
    options: {
      backup: { type: 'string' },
      'backup-container': { type: 'string' },
      account: { type: 'string' },
      database: { type: 'string' },
      [api.part]: { type: 'string' },
      to: { type: 'string' },
      'as-of': { type: 'string' },
      'allow-source-target': { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      ...startOptions,
    },
  });
  const target = parseAddress(requiredString(values, 'to'), '--to');
  const input: WindowedRestoreInput = {
    backup: requiredString(values, 'backup'),
    backupContainer: optionalString(values, 'backup-container'),
    source: {
      account: requiredString(values, 'account'),
      database: requiredString(values, 'database'),
      container: requiredString(values, api.part),
    },
    target,
    asOf: optionalString(values, 'as-of'),
    allowSourceTarget: values['allow-source-target'] as boolean | undefined,
    dryRun: values['dry-run'] as boolean | undefined,
  };
  return withClient(async (client, config) => {
    const handle = await startWorkflow(client, config, {
      command: `restore ${api.flag}`,
      workflow: api.restoreWorkflow,
      input,
      workflowId: optionalString(values, 'workflow-id') ?? `restore-${api.flag}-${target.database}-${target.container}`,
      taskQueue: optionalString(values, 'task-queue'),
      summary: `Restore ${input.source.account}/${input.source.database}/${input.source.container} into ${target.connection}/${target.database}/${target.container}`,
      details: {
        source: `${input.backup}: catalog of ${input.source.account}/${input.source.database}/${input.source.container}`,
        target: `${target.connection}/${target.database}/${target.container}`,
        mode: modeOf({ 'as of': input.asOf, 'dry run': input.dryRun }, 'as of now'),
      },
      names: {
        connections: { '--backup': input.backup, '--to (connection)': { name: target.connection, kind: api.flag } },
        containers: { '--backup-container': input.backupContainer },
      },
    });
    if (!handle) return 4;
    if (!values.wait) return 0;
    const r: WindowedRestoreResult = await waitWithProgress(handle, {
      query: windowedRestoreProgressQuery,
      format: formatRestore,
    });
    emit(
      { workflowId: handle.workflowId, result: r },
      () =>
        `${r.dryRun ? 'dry run: would restore' : 'restored'} as of ${r.asOf}: ${r.dryRun ? r.plannedWindows : r.windows} windows ` +
        `from ${r.runs.length} run(s), ${r.dryRun ? `about ${r.plannedDocuments}` : r.upserted} documents` +
        `${r.dryRun ? '' : `, ${r.skipped} after asOf left out, ${r.deleted} removed`}`,
    );
    return 0;
  });
}

export async function runDocumentRunsCommand(kind: DocumentCommandKind, args: string[]): Promise<number> {
  const api = API[kind];
  const { values } = parseArgs({
    args,
    options: {
      backup: { type: 'string' },
      'backup-container': { type: 'string' },
      account: { type: 'string' },
      database: { type: 'string' },
      [api.part]: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const config = loadConfig();
  const backup = requiredString(values, 'backup');
  if (config.connections[backup]?.kind !== 'blob')
    throw new UsageError(`--backup is not a blob connection of this config (got ${JSON.stringify(backup)})`);
  const connections = new ConnectionRegistry(config.connections);
  try {
    const container = connections
      .blob(backup)
      .service.getContainerClient(optionalString(values, 'backup-container') ?? DEFAULT_BACKUP_CONTAINER);
    const scope = exportScope(
      kind,
      requiredString(values, 'account'),
      requiredString(values, 'database'),
      requiredString(values, api.part),
    );
    const runs = await new ExportCatalog(container, scope).manifests();
    if (values.json) {
      console.log(JSON.stringify(runs, null, 2));
      return 0;
    }
    if (runs.length === 0) {
      console.log('No committed exports of this source in this backup container.');
      return 0;
    }
    console.log(
      'run                                mode     from                      to                        windows  documents  bytes stored',
    );
    for (const r of runs) {
      console.log(
        `${r.runKey.padEnd(34)} ${r.mode.padEnd(8)} ${new Date(r.fromMs).toISOString().padEnd(25)} ` +
          `${new Date(r.toMs).toISOString().padEnd(25)} ${String(r.windows).padStart(7)} ${String(r.documents).padStart(10)} ` +
          `${String(r.storedBytes).padStart(13)}`,
      );
    }
    return 0;
  } finally {
    connections.close();
  }
}

/** `connection/database/container`. */
function parseAddress(text: string, flag: string): DocumentAddress {
  const parts = text.split('/');
  if (parts.length !== 3 || parts.some((p) => !p))
    throw new UsageError(`${flag} must be <connection>/<database>/<container> (got ${JSON.stringify(text)})`);
  return { connection: parts[0]!, database: parts[1]!, container: parts[2]! };
}
