// `azbackup schedule …`: Temporal Schedules for every workflow kind, made from a command's own flags
// (`schedule create nightly --at 02:00 backup --source …`) or a kind and its JSON input, and declared in
// the config file (`schedule apply`). Every definition is checked before anything is created.
import { ScheduleAlreadyRunning, type Client } from '@temporalio/client';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { loadConfig, CONFIG_FILE_ENV } from '../config/load';
import type { Config } from '../config/schema';
import { formatProblems } from '../domain/input-problems';
import { executeApply, formatStep, planApply } from '../schedules/apply';
import {
  declaredSchedules,
  describeTiming,
  normalizeSchedule,
  OVERLAPS,
  scheduleChanges,
  scheduleProblems,
  type ScheduleDefinition,
} from '../schedules/definition';
import { SCHEDULE_KIND_NAMES, type ScheduleKind } from '../schedules/kinds';
import { OVERLAP_POLICY, overlapOf, readSchedule, scheduleOptions, type ReadSchedule } from '../schedules/temporal';
import { backupFlags, backupInputFromFlags } from './backup-command';
import { oneOf, optionalString, UsageError } from './cli-options';
import { documentBackupFlags, documentBackupInputFromFlags, documentKindOf } from './document-commands';
import { drillFlags, drillInputFromFlags } from './drill-command';
import { retentionFlags, retentionInputFromFlags } from './retention-command';
import { withClient } from './temporal-client';

type Values = Record<string, string | boolean | undefined>;

const TIMING_FLAGS = {
  every: { type: 'string' },
  cron: { type: 'string' },
  at: { type: 'string' },
  timezone: { type: 'string' },
  jitter: { type: 'string' },
  overlap: { type: 'string' },
  'catchup-window': { type: 'string' },
  'no-pause-on-failure': { type: 'boolean' },
  note: { type: 'string' },
  paused: { type: 'boolean' },
  'task-queue': { type: 'string' },
  kind: { type: 'string' },
  input: { type: 'string' },
} as const;

const COMMAND_WORDS = ['backup', 'reconcile', 'retention', 'drill'];

export async function runScheduleCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'create':
      return create(rest);
    case 'list':
      return list(rest);
    case 'describe':
      return describe(rest);
    case 'pause':
    case 'unpause':
      return pause(sub, rest);
    case 'trigger':
      return trigger(rest);
    case 'backfill':
      return backfill(rest);
    case 'delete':
      return remove(rest);
    case 'apply':
      return apply(rest);
  }
  throw new UsageError(
    `${sub === undefined ? 'missing' : `unknown: ${JSON.stringify(sub)};`} give create, list, describe, pause, unpause, trigger, backfill, delete or apply`,
  );
}

/** `create ID [timing] (<command> <its flags> | --kind K --input JSON)`: splits at the command word. */
function splitCreateArgs(args: string[]): { id: string; own: string[]; command: string[] } {
  const [id, ...rest] = args;
  if (!id || id.startsWith('-')) throw new UsageError('give the schedule id first: azbackup schedule create <id> …');
  let i = 0;
  while (i < rest.length && !COMMAND_WORDS.includes(rest[i]!)) {
    const flag = rest[i]!.startsWith('--') ? rest[i]!.slice(2) : undefined;
    const takesValue =
      flag !== undefined && !flag.includes('=') && TIMING_FLAGS[flag as keyof typeof TIMING_FLAGS]?.type === 'string';
    i += takesValue ? 2 : 1;
  }
  return { id, own: rest.slice(0, i), command: rest.slice(i) };
}

/** The kind and input a command line describes, built by the command's own flag parser. */
function inputFromCommand(
  command: string[],
  config: Config,
): { kind: ScheduleKind; input: Record<string, unknown>; taskQueue?: string } {
  const [word, ...flags] = command;
  const parse = (options: NonNullable<ParseArgsConfig['options']>, args: string[]) =>
    parseArgs({ args, options: { ...options, 'task-queue': { type: 'string' } } }).values as Values;
  const document = word === 'backup' ? documentKindOf(flags[0]) : undefined;
  if (document) {
    const values = parse(documentBackupFlags(document), flags.slice(1));
    const kind = document === 'mongo' ? 'mongo' : 'cosmos';
    return {
      kind,
      input: documentBackupInputFromFlags(document, values),
      taskQueue: optionalString(values, 'task-queue'),
    };
  }
  if (word === 'backup' || word === 'reconcile') {
    const values = parse(backupFlags, flags);
    return { kind: word, input: { ...backupInputFromFlags(values) }, taskQueue: optionalString(values, 'task-queue') };
  }
  if (word === 'retention') {
    const values = parse(retentionFlags, flags);
    return {
      kind: 'retention',
      input: { ...retentionInputFromFlags(values, config) },
      taskQueue: optionalString(values, 'task-queue'),
    };
  }
  const values = parse(drillFlags, flags);
  return {
    kind: 'drill',
    input: { ...drillInputFromFlags(values, config) },
    taskQueue: optionalString(values, 'task-queue'),
  };
}

async function create(args: string[]): Promise<number> {
  const { id, own, command } = splitCreateArgs(args);
  const { values } = parseArgs({ args: own, options: TIMING_FLAGS });
  const config = loadConfig();
  let kind: unknown;
  let input: unknown;
  let commandQueue: string | undefined;
  if (command.length) {
    if (values.kind || values.input) throw new UsageError('give a command or --kind with --input, not both');
    ({ kind, input, taskQueue: commandQueue } = inputFromCommand(command, config));
  } else {
    if (!values.kind || !values.input)
      throw new UsageError(
        `give what to run: a command (${COMMAND_WORDS.join(', ')} … with its flags) or --kind (${SCHEDULE_KIND_NAMES.join(', ')}) with --input '<json>'`,
      );
    kind = values.kind;
    try {
      input = JSON.parse(values.input);
    } catch (err) {
      throw new UsageError(`--input is not JSON: ${(err as Error).message}`);
    }
  }
  const definition = JSON.parse(
    JSON.stringify({
      kind,
      input,
      every: values.every,
      cron: values.cron,
      at: values.at,
      timezone: values.timezone,
      jitter: values.jitter,
      overlap: oneOf(values, 'overlap', OVERLAPS),
      catchupWindow: values['catchup-window'],
      pauseOnFailure: values['no-pause-on-failure'] ? false : undefined,
      note: values.note,
      paused: values.paused || undefined,
    }),
  ) as ScheduleDefinition;
  const problems = scheduleProblems(id, definition, config);
  if (problems.length) throw new UsageError(`nothing created: ${formatProblems(problems)}`);
  const normalized = normalizeSchedule(definition);
  const taskQueue = optionalString(values, 'task-queue') ?? commandQueue ?? config.temporal.taskQueue;
  const from = `azbackup schedule create ${args.join(' ')}`;
  return withClient(async (client) => {
    const existing = await readSchedule(client, id);
    if (existing) return sameOrConflict(id, existing, normalized, taskQueue);
    try {
      await client.schedule.create(scheduleOptions(id, normalized, taskQueue, { madeBy: 'cli', from }));
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
      const raced = await readSchedule(client, id);
      return raced ? sameOrConflict(id, raced, normalized, taskQueue) : Promise.reject(err);
    }
    console.log(
      `Created schedule ${id}: ${describeTiming(normalized)}, overlap ${normalized.overlap}${normalized.paused ? ' (paused)' : ''}.`,
    );
    return 0;
  });
}

/** Creating again with the same definition changes nothing; another definition is refused (exit 4). */
function sameOrConflict(
  id: string,
  live: ReadSchedule,
  wanted: ReturnType<typeof normalizeSchedule>,
  taskQueue: string,
): number {
  const changes = live.definition
    ? [...scheduleChanges(live.definition, wanted), ...(live.taskQueue !== taskQueue ? ['taskQueue'] : [])]
    : ['(not made by azbackup)'];
  if (changes.length === 0) {
    console.log(`Schedule ${id} exists with this definition: unchanged.`);
    return 0;
  }
  console.error(
    `azbackup schedule create: schedule ${id} exists with another definition (differs in ${changes.join(', ')}); ` +
      `nothing changed. Delete it first (azbackup schedule delete ${id}) or declare it in the config and use schedule apply.`,
  );
  return 4;
}

async function list(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean' } } });
  return withClient(async (client) => {
    const rows = [];
    for await (const s of client.schedule.list())
      rows.push({
        id: s.scheduleId,
        workflowType: s.action?.workflowType,
        madeBy: s.memo?.azbackupMadeBy as string | undefined,
        paused: s.state.paused,
        note: s.state.note,
        nextRun: s.info.nextActionTimes[0]?.toISOString(),
      });
    rows.sort((a, b) => a.id.localeCompare(b.id));
    if (values.json) {
      console.log(JSON.stringify(rows, null, 2));
      return 0;
    }
    if (!rows.length) console.log('No schedules.');
    for (const r of rows)
      console.log(
        `${r.id.padEnd(32)} ${String(r.workflowType).padEnd(22)} ${(r.paused ? 'paused' : 'active').padEnd(7)} ` +
          `next ${r.nextRun ?? '-'}${r.madeBy ? `  (${r.madeBy})` : ''}${r.note ? `  note: ${r.note}` : ''}`,
      );
    return 0;
  });
}

async function describe(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { json: { type: 'boolean' } }, allowPositionals: true });
  const id = oneId(positionals, 'describe');
  return withClient(async (client) => {
    const live = await readSchedule(client, id);
    if (!live) return notFound(id);
    const d = live.description;
    const recentRuns = await Promise.all(
      d.info.recentActions.map(async (a) => ({
        workflowId: a.action.workflow.workflowId,
        runId: a.action.workflow.firstExecutionRunId,
        scheduledAt: a.scheduledAt.toISOString(),
        status: await runStatus(client, a.action.workflow.workflowId, a.action.workflow.firstExecutionRunId),
      })),
    );
    const view = {
      id,
      madeBy: live.madeBy,
      kind: live.definition?.kind,
      workflowType: d.action.workflowType,
      taskQueue: d.action.taskQueue,
      input: d.action.args?.[0],
      when: live.definition ? describeTiming(live.definition) : undefined,
      timezone: d.spec.timezone,
      jitterMs: d.spec.jitter,
      overlap: overlapOf(d.policies.overlap) ?? d.policies.overlap,
      catchupWindowMs: d.policies.catchupWindow,
      pauseOnFailure: d.policies.pauseOnFailure,
      paused: d.state.paused,
      note: d.state.note,
      summary: d.action.staticSummary,
      details: d.action.staticDetails,
      from: live.from,
      editedOutside: live.editedOutside,
      nextRuns: d.info.nextActionTimes.map((t) => t.toISOString()),
      actionsTaken: d.info.numActionsTaken,
      skippedOverlap: d.info.numActionsSkippedOverlap,
      recentRuns,
    };
    if (values.json) {
      console.log(JSON.stringify(view, null, 2));
      return 0;
    }
    console.log(
      `Schedule ${id}${live.madeBy ? ` (made by ${live.madeBy === 'cli' ? 'schedule create' : 'schedule apply'})` : ' (not made by azbackup)'}`,
    );
    console.log(`  ${view.summary ?? d.action.workflowType}`);
    console.log(`  runs ${view.workflowType} on task queue ${view.taskQueue}; ${view.when ?? ''}`);
    console.log(
      `  overlap ${view.overlap}, catch-up window ${view.catchupWindowMs / 1000} s, ${view.pauseOnFailure ? 'pauses on failure' : 'keeps running after failures'}`,
    );
    console.log(`  ${view.paused ? 'PAUSED' : 'active'}${view.note ? `; note: ${view.note}` : ''}`);
    if (view.editedOutside.length) console.log(`  edited outside azbackup: ${view.editedOutside.join(', ')}`);
    console.log(`  next runs: ${view.nextRuns.slice(0, 3).join(', ') || '-'}`);
    for (const r of recentRuns) console.log(`  run ${r.workflowId}  ${r.status}`);
    return 0;
  });
}

async function runStatus(client: Client, workflowId: string, runId: string): Promise<string> {
  try {
    return (await client.workflow.getHandle(workflowId, runId).describe()).status.name;
  } catch {
    return 'UNKNOWN';
  }
}

async function pause(which: 'pause' | 'unpause', args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { note: { type: 'string' } }, allowPositionals: true });
  const id = oneId(positionals, which);
  return withClient(async (client) => {
    if (!(await readSchedule(client, id))) return notFound(id);
    const note = values.note ?? `${which}d with azbackup schedule ${which}`;
    await client.schedule.getHandle(id)[which](note);
    console.log(`Schedule ${id} ${which}d: ${note}`);
    return 0;
  });
}

async function trigger(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { overlap: { type: 'string' } }, allowPositionals: true });
  const id = oneId(positionals, 'trigger');
  const overlap = oneOf(values, 'overlap', OVERLAPS);
  return withClient(async (client) => {
    const live = await readSchedule(client, id);
    if (!live) return notFound(id);
    // The schedule's own policy unless told otherwise: a trigger during a run is skipped, not stacked.
    const policy = overlap ? OVERLAP_POLICY[overlap] : live.description.policies.overlap;
    await client.schedule.getHandle(id).trigger(policy);
    console.log(`Triggered ${id} (overlap ${overlapOf(policy) ?? policy}); see: azbackup schedule describe ${id}`);
    return 0;
  });
}

async function backfill(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { from: { type: 'string' }, to: { type: 'string' }, overlap: { type: 'string' } },
    allowPositionals: true,
  });
  const id = oneId(positionals, 'backfill');
  const start = isoTime(values.from, '--from');
  const end = isoTime(values.to, '--to');
  if (end <= start) throw new UsageError('--to must be after --from');
  const overlap = oneOf(values, 'overlap', OVERLAPS);
  return withClient(async (client) => {
    const live = await readSchedule(client, id);
    if (!live) return notFound(id);
    const policy = overlap ? OVERLAP_POLICY[overlap] : live.description.policies.overlap;
    await client.schedule.getHandle(id).backfill({ start, end, overlap: policy });
    console.log(
      `Backfilling ${id} from ${start.toISOString()} to ${end.toISOString()} (overlap ${overlapOf(policy) ?? policy}).`,
    );
    return 0;
  });
}

async function remove(args: string[]): Promise<number> {
  const { positionals } = parseArgs({ args, options: {}, allowPositionals: true });
  const id = oneId(positionals, 'delete');
  return withClient(async (client) => {
    if (!(await readSchedule(client, id))) return notFound(id);
    await client.schedule.getHandle(id).delete();
    console.log(`Deleted schedule ${id} (runs already started go on).`);
    return 0;
  });
}

async function apply(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { 'dry-run': { type: 'boolean' }, prune: { type: 'boolean' } } });
  const file = process.env[CONFIG_FILE_ENV] ?? 'azbackup.yaml';
  return withClient(async (client, config) => {
    const taskQueue = config.temporal.taskQueue;
    const steps = await planApply(client, declaredSchedules(config), { taskQueue, prune: !!values.prune });
    for (const step of steps) console.log(formatStep(step));
    if (steps.length === 0)
      console.log(`No schedules declared in ${file} and none made by apply on task queue ${taskQueue}.`);
    if (steps.some((s) => s.op === 'conflict')) {
      console.error('azbackup schedule apply: conflicts above; nothing changed.');
      return 1;
    }
    if (values['dry-run']) {
      console.log('Dry run: nothing changed.');
      return 0;
    }
    await executeApply(client, steps, {
      taskQueue,
      origin: (id) => ({ madeBy: 'config', from: `${file} (schedules.${id})` }),
    });
    const count = (op: string) => steps.filter((s) => s.op === op).length;
    console.log(
      `Applied: ${count('create')} created, ${count('update')} updated, ${count('delete')} deleted, ${count('unchanged')} unchanged.`,
    );
    return 0;
  });
}

function oneId(positionals: string[], sub: string): string {
  if (positionals.length !== 1) throw new UsageError(`give one schedule id: azbackup schedule ${sub} <id>`);
  return positionals[0]!;
}

function notFound(id: string): number {
  console.error(`azbackup schedule: no schedule ${JSON.stringify(id)} (azbackup schedule list shows them)`);
  return 1;
}

function isoTime(value: string | undefined, flag: string): Date {
  if (!value) throw new UsageError(`missing ${flag} <ISO time>`);
  const t = new Date(value);
  if (!/^\d{4}-\d\d-\d\dT/.test(value) || Number.isNaN(t.getTime()))
    throw new UsageError(
      `${flag} must be an ISO 8601 time such as 2026-11-30T00:00:00Z (got ${JSON.stringify(value)})`,
    );
  return t;
}
