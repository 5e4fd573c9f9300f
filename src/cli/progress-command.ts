// The lines the CLI prints for a backup's or restore's progress (`azbackup progress`, `status`, --wait).
import { progressQuery, type BackupProgress } from '../workflows/backup-container';
import { restoreProgressQuery, type RestoreProgress } from '../workflows/restore-container';
import { pagesDoneWithInFlight, type PageInFlight } from './live-progress';
import { bar } from './progress-bar';

/** Items finished inside the pages still running (their totals), when any page is running. */
function inFlightText(inFlight: PageInFlight[]): string {
  if (inFlight.length === 0) return '';
  const finished = inFlight.reduce((n, p) => n + p.finished, 0);
  const total = inFlight.reduce((n, p) => n + p.total, 0);
  return `, ${inFlight.length} page${inFlight.length === 1 ? '' : 's'} running (${finished}/${total} items)`;
}

export function formatProgress(p: BackupProgress, inFlight: PageInFlight[] = []): string {
  // Until the listing ends, the page total is not known: the bar shows the pages found so far.
  const pages = `${p.pagesDone}/${p.pagesListed}${p.listingDone ? '' : '+'} pages`;
  return (
    `${p.phase} ${bar(pagesDoneWithInFlight(p.pagesDone, inFlight), p.pagesListed)} ${pages}${inFlightText(inFlight)}, ` +
    `${p.listed} listed (${p.new} new, ` +
    `${p.modified} modified, ${p.unchanged} unchanged, ${p.deleted} deleted), ${p.copied} copied, ` +
    `${p.skipped} skipped, ${p.failed} failed, ${Math.round(p.elapsedMs / 1000)} s`
  );
}

export function formatRestoreProgress(p: RestoreProgress, inFlight: PageInFlight[] = []): string {
  return (
    `${p.phase} ${bar(pagesDoneWithInFlight(p.pagesDone, inFlight), p.pages)} ${p.pagesDone}/${p.pages} pages` +
    `${inFlightText(inFlight)}, ${p.matched} matched, ` +
    `${p.restored} restored, ${p.skipped} skipped, ${p.failed} failed, ${p.bytesRestored} bytes, ` +
    `${Math.round(p.elapsedMs / 1000)} s`
  );
}

export const backupProgress = { query: progressQuery, format: formatProgress };
export const restoreProgress = { query: restoreProgressQuery, format: formatRestoreProgress };
