// The histories of a run (the parent's continue-as-new chain plus every child), their event counts, and the
// time an activity took, read from a history.
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** Each history of a run: the parent's runs (continue-as-new chain) and every child named `<workflowId>/…`. */
export async function forEachHistory(
  client: Client,
  workflowId: string,
  fn: (execution: { workflowId: string }, events: HistoryEvent[]) => void,
): Promise<void> {
  const query = `WorkflowId = '${workflowId}' OR WorkflowId STARTS_WITH '${workflowId}/'`;
  for await (const execution of client.workflow.list({ query })) {
    const history = await client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
    fn(execution, history.events ?? []);
  }
}

export async function historyEvents(client: Client, workflowId: string): Promise<{ total: number; largest: number }> {
  let total = 0;
  let largest = 0;
  await forEachHistory(client, workflowId, (_, events) => {
    total += events.length;
    largest = Math.max(largest, events.length);
  });
  return { total, largest };
}

const secondsOf = (event: HistoryEvent | undefined) =>
  Number(event?.eventTime?.seconds ?? 0) + (event?.eventTime?.nanos ?? 0) / 1e9;

/**
 * Seconds an activity of this type spent in one history, summed over its executions: from when it was
 * scheduled (queueing included) or started (the last attempt's start, as history records it) to completed.
 */
export function activitySeconds(
  events: readonly HistoryEvent[],
  activityType: string,
  from: 'scheduled' | 'started',
): number {
  const byId = new Map(events.map((e) => [String(e.eventId), e]));
  let total = 0;
  for (const event of events) {
    const completed = event.activityTaskCompletedEventAttributes;
    if (!completed) continue;
    const scheduled = byId.get(String(completed.scheduledEventId));
    if (scheduled?.activityTaskScheduledEventAttributes?.activityType?.name !== activityType) continue;
    const start = from === 'scheduled' ? scheduled : byId.get(String(completed.startedEventId));
    total += secondsOf(event) - secondsOf(start);
  }
  return total;
}
