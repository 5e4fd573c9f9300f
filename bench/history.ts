// History events of a backup: the parent's runs (continue-as-new chain) plus every page child.
import type { Client } from '@temporalio/client';

export async function historyEvents(client: Client, workflowId: string): Promise<{ total: number; largest: number }> {
  let total = 0;
  let largest = 0;
  const query = `WorkflowId = '${workflowId}' OR WorkflowId STARTS_WITH '${workflowId}/'`;
  for await (const execution of client.workflow.list({ query })) {
    const history = await client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
    const events = history.events?.length ?? 0;
    total += events;
    largest = Math.max(largest, events);
  }
  return { total, largest };
}
