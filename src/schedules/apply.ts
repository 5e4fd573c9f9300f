// `schedule apply`: make Temporal's schedules match the config's `schedules:` section. Only schedules
// apply made (memo `config`) on this config's task queue are updated or removed; an id taken by any
// other schedule is a conflict, found before anything is written. A pause (and its note) survives an
// apply unless the declaration's own `paused` or `note` changed.
import type { Client } from '@temporalio/client';
import { normalizeSchedule, scheduleChanges, type NormalizedSchedule, type ScheduleDefinition } from './definition';
import { readSchedule, scheduleOptions, schedulesMadeBy, type ScheduleOrigin } from './temporal';

export type ApplyStep =
  | { id: string; op: 'create'; definition: NormalizedSchedule }
  | { id: string; op: 'update'; definition: NormalizedSchedule; changes: string[] }
  | { id: string; op: 'unchanged' }
  | { id: string; op: 'delete' }
  | { id: string; op: 'not-declared' }
  | { id: string; op: 'conflict'; reason: string };

export async function planApply(
  client: Client,
  declared: Record<string, ScheduleDefinition>,
  options: { taskQueue: string; prune: boolean },
): Promise<ApplyStep[]> {
  const steps: ApplyStep[] = [];
  for (const [id, raw] of Object.entries(declared).sort(([a], [b]) => a.localeCompare(b))) {
    const definition = normalizeSchedule(raw);
    const live = await readSchedule(client, id);
    if (!live) steps.push({ id, op: 'create', definition });
    else if (live.madeBy !== 'config' || !live.definition)
      steps.push({
        id,
        op: 'conflict',
        reason: live.madeBy
          ? `it was made by \`azbackup schedule create\`; delete it or choose another id`
          : 'a schedule azbackup did not make has this id',
      });
    else if (live.taskQueue !== options.taskQueue)
      steps.push({
        id,
        op: 'conflict',
        reason: `it starts workflows on task queue ${live.taskQueue}, not ${options.taskQueue}`,
      });
    else {
      const changes = [
        ...scheduleChanges(live.definition, definition),
        ...live.editedOutside.map((f) => `${f} (edited outside azbackup)`),
      ];
      steps.push(changes.length ? { id, op: 'update', definition, changes } : { id, op: 'unchanged' });
    }
  }
  for (const id of await schedulesMadeBy(client, 'config')) {
    if (Object.hasOwn(declared, id)) continue;
    const live = await readSchedule(client, id);
    if (live?.madeBy !== 'config' || live.taskQueue !== options.taskQueue) continue; // another config's
    steps.push({ id, op: options.prune ? 'delete' : 'not-declared' });
  }
  return steps;
}

export function formatStep(step: ApplyStep): string {
  switch (step.op) {
    case 'create':
      return `+ create ${step.id}`;
    case 'update':
      return `~ update ${step.id} (${step.changes.join(', ')})`;
    case 'unchanged':
      return `= unchanged ${step.id}`;
    case 'delete':
      return `- delete ${step.id}`;
    case 'not-declared':
      return `? not declared ${step.id} (made by apply, no longer in the config: --prune deletes it)`;
    case 'conflict':
      return `! conflict ${step.id}: ${step.reason}`;
  }
}

/** Carries out a plan without conflicts (the caller checks). */
export async function executeApply(
  client: Client,
  steps: ApplyStep[],
  options: { taskQueue: string; origin: (id: string) => ScheduleOrigin },
): Promise<void> {
  for (const step of steps) {
    if (step.op === 'create') {
      await client.schedule.create(
        scheduleOptions(step.id, step.definition, options.taskQueue, options.origin(step.id)),
      );
    } else if (step.op === 'update') {
      const next = scheduleOptions(step.id, step.definition, options.taskQueue, options.origin(step.id));
      const stateDeclared = step.changes.some((c) => c === 'paused' || c === 'note');
      await client.schedule.getHandle(step.id).update((previous) => ({
        spec: next.spec,
        action: next.action,
        policies: next.policies,
        state: stateDeclared ? next.state! : { paused: previous.state.paused, note: previous.state.note },
      }));
    } else if (step.op === 'delete') {
      await client.schedule.getHandle(step.id).delete();
    }
  }
}
