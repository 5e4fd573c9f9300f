// `azbackup progress`: the live progress query of a backup, and the line the CLI prints while waiting.
import type { WorkflowHandle } from '@temporalio/client';
import { progressQuery, type BackupContainerResult, type BackupProgress } from '../workflows/backup-container';
import { withClient } from './temporal-client';

export function formatProgress(p: BackupProgress): string {
  return (
    `${p.phase}: pages ${p.pagesDone}/${p.pagesListed} done, ${p.listed} listed (${p.new} new, ${p.modified} modified, ` +
    `${p.unchanged} unchanged, ${p.deleted} deleted), ${p.copied} copied, ${p.skipped} skipped, ${p.failed} failed, ` +
    `${Math.round(p.elapsedMs / 1000)} s`
  );
}

export async function runProgressCommand(args: string[]): Promise<number> {
  const [workflowId] = args;
  if (!workflowId) {
    console.error('usage: azbackup progress <workflow-id>');
    return 2;
  }
  return withClient(async (client) => {
    console.log(formatProgress(await client.workflow.getHandle(workflowId).query(progressQuery)));
    return 0;
  });
}

export async function printProgressUntilDone(handle: WorkflowHandle): Promise<BackupContainerResult> {
  let inFlight: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    inFlight = inFlight.then(() =>
      handle.query(progressQuery).then(
        (p) => console.log(`  ${formatProgress(p)}`),
        () => {}, // not answerable before the first workflow task
      ),
    );
  }, 2000);
  try {
    return (await handle.result()) as BackupContainerResult;
  } finally {
    clearInterval(timer);
    await inFlight;
  }
}
