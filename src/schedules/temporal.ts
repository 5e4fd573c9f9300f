// Schedules in Temporal: a definition becomes ScheduleOptions (its action carrying a one-line summary and
// markdown details for the UI), and is read back from the memos azbackup writes. The schedule's memo
// says who made it (`cli` or `config`: apply only touches its own); the action's memo (updatable) keeps
// the definition it was last written from, so a rewrite is only made when something changed.
import {
  ScheduleNotFoundError,
  type Client,
  type ScheduleDescription,
  type ScheduleOptions,
  type ScheduleOverlapPolicy,
} from '@temporalio/client';
import { SCHEDULE_KINDS } from './kinds';
import { describeTiming, type NormalizedSchedule, type Overlap } from './definition';
import { parseDurationMs, parseTimeOfDay } from './timing';

export const MADE_BY_MEMO = 'azbackupMadeBy';
export const DEFINITION_MEMO = 'azbackupSchedule';

export type MadeBy = 'cli' | 'config';

export interface ScheduleOrigin {
  madeBy: MadeBy;
  /** Where the definition came from: the command line, or the config file and key. */
  from: string;
}

export const OVERLAP_POLICY: Record<Overlap, ScheduleOverlapPolicy> = { skip: 'SKIP', 'buffer-one': 'BUFFER_ONE' };

export function overlapOf(policy: ScheduleOverlapPolicy): Overlap | undefined {
  return (Object.entries(OVERLAP_POLICY) as [Overlap, ScheduleOverlapPolicy][]).find(([, p]) => p === policy)?.[0];
}

/** The one-line summary and the markdown details every run of the schedule shows in the UI. */
export function actionTexts(def: NormalizedSchedule, origin: ScheduleOrigin): { summary: string; details: string } {
  const spec = SCHEDULE_KINDS[def.kind];
  const d = spec.details(def.input);
  const policies = [
    `overlap ${def.overlap}`,
    `catch-up window ${def.catchupWindow}`,
    def.pauseOnFailure ? 'pauses on failure' : 'keeps running after a failure',
  ].join(', ');
  const details = [
    `**Source:** ${d.source}`,
    `**Target:** ${d.target}`,
    `**Mode:** ${d.mode}`,
    `**Schedule:** ${describeTiming(def)}; ${policies}`,
    `**Made by:** ${origin.madeBy === 'cli' ? `\`${origin.from}\`` : origin.from}`,
    ...(def.note ? [`**Note:** ${def.note}`] : []),
  ].join('\n\n');
  return { summary: `${spec.summary(def.input)}, ${describeTiming(def)}`, details };
}

export function scheduleOptions(
  id: string,
  def: NormalizedSchedule,
  taskQueue: string,
  origin: ScheduleOrigin,
): ScheduleOptions {
  const { summary, details } = actionTexts(def, origin);
  const at = parseTimeOfDay(def.at);
  return {
    scheduleId: id,
    spec: {
      ...(def.every ? { intervals: [{ every: parseDurationMs(def.every)! }] } : {}),
      ...(def.cron ? { cronExpressions: [def.cron] } : {}),
      ...(at ? { calendars: [{ hour: at.hour, minute: at.minute }] } : {}),
      ...(def.timezone ? { timezone: def.timezone } : {}),
      ...(def.jitter ? { jitter: parseDurationMs(def.jitter)! } : {}),
    },
    action: {
      type: 'startWorkflow',
      workflowType: SCHEDULE_KINDS[def.kind].workflowType,
      // Temporal appends the scheduled time: `<id>-2026-12-01T02:00:00Z`.
      workflowId: id,
      taskQueue,
      args: [def.input],
      staticSummary: summary,
      staticDetails: details,
      memo: { [DEFINITION_MEMO]: { definition: def, from: origin.from } },
    },
    policies: {
      overlap: OVERLAP_POLICY[def.overlap],
      catchupWindow: parseDurationMs(def.catchupWindow)!,
      pauseOnFailure: def.pauseOnFailure,
    },
    memo: { [MADE_BY_MEMO]: origin.madeBy },
    state: { paused: def.paused ?? false, ...(def.note ? { note: def.note } : {}) },
  };
}

/** A schedule as azbackup reads it back; definition undefined when azbackup did not make it. */
export interface ReadSchedule {
  id: string;
  description: ScheduleDescription;
  madeBy?: MadeBy;
  definition?: NormalizedSchedule;
  from?: string;
  taskQueue?: string;
  /** Fields whose live value differs from the stored definition (edited in the UI or with `temporal`). */
  editedOutside: string[];
}

export async function readSchedule(client: Client, id: string): Promise<ReadSchedule | undefined> {
  let description: ScheduleDescription;
  try {
    description = await client.schedule.getHandle(id).describe();
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return undefined;
    throw err;
  }
  const madeBy = description.memo?.[MADE_BY_MEMO] as MadeBy | undefined;
  const stored = description.action.memo?.[DEFINITION_MEMO] as
    { definition: NormalizedSchedule; from: string } | undefined;
  const definition = madeBy ? stored?.definition : undefined;
  return {
    id,
    description,
    madeBy,
    definition,
    from: stored?.from,
    taskQueue: description.action.taskQueue,
    editedOutside: definition ? editedFields(description, definition) : [],
  };
}

function editedFields(d: ScheduleDescription, def: NormalizedSchedule): string[] {
  const edited: string[] = [];
  if (d.action.workflowType !== SCHEDULE_KINDS[def.kind].workflowType) edited.push('kind');
  if (JSON.stringify(d.action.args?.[0]) !== JSON.stringify(def.input)) edited.push('input');
  if (overlapOf(d.policies.overlap) !== def.overlap) edited.push('overlap');
  if (d.policies.catchupWindow !== parseDurationMs(def.catchupWindow)) edited.push('catchupWindow');
  if (d.policies.pauseOnFailure !== def.pauseOnFailure) edited.push('pauseOnFailure');
  if ((d.spec.jitter ?? 0) !== (parseDurationMs(def.jitter) ?? 0)) edited.push('jitter');
  return edited;
}

/** The ids of the schedules `apply` made (by their memo); their task queue is read by describing each. */
export async function schedulesMadeBy(client: Client, madeBy: MadeBy): Promise<string[]> {
  const ids: string[] = [];
  for await (const s of client.schedule.list()) if (s.memo?.[MADE_BY_MEMO] === madeBy) ids.push(s.scheduleId);
  return ids.sort();
}
