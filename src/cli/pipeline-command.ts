// `azbackup pipeline backup|restore|retention`: start the backup framework's workflows from the shell.
// The source is `--dir PATH` or a command after `--` (run by the worker, without a shell); the store is
// a blob container (`--backup C [--backup-container X]`) or a worker-local directory (`--store-dir P`);
// a restore goes to `--to-dir PATH`, a command after `--`, or `--verify` (a drill: read back, write nothing).
import { parseArgs } from 'node:util';
import { DEFAULT_BACKUP_CONTAINER } from '../domain/defaults';
import type { PluginSpec } from '../domain/pipeline-manifest';
import {
  applyPipelineRetention,
  restorePipelineBackup,
  runBackupPipeline,
  type PipelineBackupInput,
  type PipelineRestoreInput,
  type PipelineRetentionInput,
} from '../workflows/backup-pipeline';
import { optionalInteger, optionalString, requiredString, startOptions, UsageError } from './cli-options';
import type { StartDetails } from './start-details';
import { startWorkflow, waitWithProgress } from './start-workflow';
import { withClient } from './temporal-client';

const storeOptions = {
  name: { type: 'string' },
  backup: { type: 'string' },
  'backup-container': { type: 'string' },
  'store-dir': { type: 'string' },
} as const;

type Values = Record<string, string | boolean | string[] | undefined>;

function store(values: Values): PluginSpec {
  const dir = optionalString(values, 'store-dir');
  const backup = optionalString(values, 'backup');
  if (dir && backup) throw new UsageError('give --backup or --store-dir, not both');
  if (dir) return { kind: 'file', path: dir };
  if (!backup) throw new UsageError('give --backup <connection> (a blob container) or --store-dir <path>');
  return {
    kind: 'blob',
    connection: backup,
    container: optionalString(values, 'backup-container') ?? DEFAULT_BACKUP_CONTAINER,
  };
}

export async function runPipelineCommand(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  if (action === 'backup') return backup(rest);
  if (action === 'restore') return restore(rest);
  if (action === 'retention') return retention(rest);
  throw new UsageError('pipeline needs backup, restore or retention');
}

async function backup(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...storeOptions,
      ...startOptions,
      dir: { type: 'string' },
      gzip: { type: 'string' },
      key: { type: 'string' },
    },
  });
  const dir = optionalString(values, 'dir');
  if (dir ? positionals.length > 0 : positionals.length === 0)
    throw new UsageError('give the source: --dir <path>, or a command after -- (e.g. -- pg_dump -Fc app)');
  const level = values.gzip === 'none' ? undefined : (optionalInteger(values, 'gzip') ?? 1);
  const key = optionalString(values, 'key');
  const input: PipelineBackupInput = {
    name: requiredString(values, 'name'),
    source: dir ? { kind: 'directory', path: dir } : { kind: 'command', command: positionals },
    filters: [...(level ? [{ kind: 'gzip', level }] : []), ...(key ? [{ kind: 'aes-256-gcm', key }] : [])],
    sink: store(values),
  };
  return start('pipeline backup', runBackupPipeline, input, values, `pipeline-${input.name}`, (m) =>
    console.log(
      `Backed up run ${m.runKey}: ${m.plain.bytes} bytes read, ${m.stored.bytes} stored as ${m.object} ` +
        `(sha256 ${m.stored.sha256.slice(0, 16)}…)`,
    ),
  );
}

async function restore(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...storeOptions,
      ...startOptions,
      run: { type: 'string' },
      'to-dir': { type: 'string' },
      verify: { type: 'boolean', default: false },
    },
  });
  const toDir = optionalString(values, 'to-dir');
  const targets = [toDir, positionals.length ? 'command' : undefined, values.verify ? 'verify' : undefined];
  if (targets.filter(Boolean).length !== 1)
    throw new UsageError(
      'give one target: --to-dir <path>, --verify, or a command after -- (e.g. -- pg_restore -d app)',
    );
  const input: PipelineRestoreInput = {
    name: requiredString(values, 'name'),
    sink: store(values),
    runKey: optionalString(values, 'run'),
    target: toDir
      ? { kind: 'directory', path: toDir }
      : values.verify
        ? { kind: 'verify' }
        : { kind: 'command', command: positionals },
  };
  return start('pipeline restore', restorePipelineBackup, input, values, `pipeline-restore-${input.name}`, (r) =>
    console.log(
      `Restored run ${r.runKey} (${r.plain.bytes} bytes, both digests verified): ${JSON.stringify(r.target)}`,
    ),
  );
}

async function retention(args: string[]): Promise<number> {
  const counts = ['keep-last', 'keep-hourly', 'keep-daily', 'keep-weekly', 'keep-monthly', 'keep-yearly'] as const;
  const { values } = parseArgs({
    args,
    options: {
      ...storeOptions,
      ...startOptions,
      ...Object.fromEntries(counts.map((c) => [c, { type: 'string' }] as const)),
      'keep-within': { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
    },
  });
  const camel = (flag: string) => flag.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
  const policy = Object.fromEntries(
    counts.map((c) => [camel(c), optionalInteger(values, c)]).filter(([, v]) => v !== undefined),
  );
  const within = optionalString(values, 'keep-within');
  const input: PipelineRetentionInput = {
    name: requiredString(values, 'name'),
    sink: store(values),
    policy: { ...policy, ...(within ? { keepWithin: within } : {}) },
    dryRun: values['dry-run'],
  };
  return start('pipeline retention', applyPipelineRetention, input, values, `pipeline-retention-${input.name}`, (r) =>
    console.log(`${r.dryRun ? 'Would forget' : 'Forgot'} ${r.removed.length} run(s), kept ${r.keep.length}.`),
  );
}

async function start<I, R>(
  command: string,
  workflow: (input: I) => Promise<R>,
  input: I,
  values: Values,
  defaultId: string,
  print: (result: R) => void,
): Promise<number> {
  return withClient(async (client, config) => {
    const handle = await startWorkflow(client, config, {
      command,
      workflow,
      input,
      workflowId: optionalString(values, 'workflow-id') ?? defaultId,
      taskQueue: optionalString(values, 'task-queue'),
      summary: `azbackup ${command} ${(input as { name: string }).name}`,
      details: pipelineDetails(input as PipelineDetailsInput),
    });
    if (!handle) return 4;
    if (!values.wait) return 0;
    print(await waitWithProgress<R, never>(handle));
    return 0;
  });
}

interface PipelineDetailsInput {
  name: string;
  source?: { kind: string };
  filters?: { kind: string }[];
  sink: { kind: string };
  target?: { kind: string };
}

/** The UI's details card of a pipeline run: plugin kinds only (never a command line or a path's secrets). */
function pipelineDetails(input: PipelineDetailsInput): StartDetails {
  const store = `${input.sink.kind} store, pipeline ${input.name}`;
  return input.source
    ? { source: input.source.kind, target: store, mode: input.filters?.map((f) => f.kind).join(' → ') || 'as is' }
    : { source: store, target: input.target?.kind ?? 'the store (retention)', mode: 'restore' };
}
