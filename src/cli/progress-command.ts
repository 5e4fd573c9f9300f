// `azbackup progress`: the live progress query of a backup or restore, and the lines the CLI prints
// while waiting for one.
import { progressQuery, type BackupProgress } from '../workflows/backup-container';
import { restoreProgressQuery, type RestoreProgress } from '../workflows/restore-container';
import { bar } from './progress-bar';
import { withClient } from './temporal-client';

export function formatProgress(p: BackupProgress): string {
  // Until the listing ends, the page total is not known: the bar shows the pages found so far.
  const pages = `${p.pagesDone}/${p.pagesListed}${p.listingDone ? '' : '+'} pages`;
  return (
    `${p.phase} ${bar(p.pagesDone, p.pagesListed)} ${pages}, ${p.listed} listed (${p.new} new, ` +
    `${p.modified} modified, ${p.unchanged} unchanged, ${p.deleted} deleted), ${p.copied} copied, ` +
    `${p.skipped} skipped, ${p.failed} failed, ${Math.round(p.elapsedMs / 1000)} s`
  );
}

export function formatRestoreProgress(p: RestoreProgress): string {
  return (
    `${p.phase} ${bar(p.pagesDone, p.pages)} ${p.pagesDone}/${p.pages} pages, ${p.matched} matched, ` +
    `${p.restored} restored, ${p.skipped} skipped, ${p.failed} failed, ${p.bytesRestored} bytes, ` +
    `${Math.round(p.elapsedMs / 1000)} s`
  );
}

export const backupProgress = { query: progressQuery, format: formatProgress };
export const restoreProgress = { query: restoreProgressQuery, format: formatRestoreProgress };

export async function runProgressCommand(args: string[]): Promise<number> {
  const [workflowId] = args;
  if (!workflowId) {
    console.error('usage: azbackup progress <workflow-id>');
    return 2;
  }
  return withClient(async (client) => {
    const handle = client.workflow.getHandle(workflowId);
    const { type } = await handle.describe();
    if (type === 'restoreContainer') console.log(formatRestoreProgress(await handle.query(restoreProgressQuery)));
    else if (type === 'backupContainer') console.log(formatProgress(await handle.query(progressQuery)));
    // A reconcile is a backup run as its child: the child answers.
    else if (type === 'reconcileContainer')
      console.log(formatProgress(await client.workflow.getHandle(`${workflowId}/reconcile`).query(progressQuery)));
    else {
      console.error(`azbackup progress: ${workflowId} is a ${type}, which has no progress query`);
      return 2;
    }
    return 0;
  });
}
