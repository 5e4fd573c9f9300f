// The work of one inventory page: classify it against the previous run's catalog for the same name
// range, back up what is new or modified (resuming from the page journal on retries), then write the
// page's catalog chunk (full state of the range) and its report of skipped and failed items.
import { backupItem, copyNamesOf } from '../blob/backup-item';
import { workThroughJournaled } from '../catalog/page-journal';
import type { BackupCounts } from '../domain/backup-counts';
import type { ConnectionRegistry } from '../storage/connections';
import {
  commitPage,
  intentsOf,
  itemContext,
  journalOf,
  loadPage,
  type BackupPageInput,
  type BackupPageOptions,
} from './page-steps';
import { defineActivity } from './toolkit';

export type { BackupPageInput, BackupPageOptions } from './page-steps';

export function createBackupPageActivities(connections: ConnectionRegistry, options: BackupPageOptions = {}) {
  return {
    backupPage: defineActivity(connections, async (input: BackupPageInput, tools): Promise<BackupCounts> => {
      const { signal, info } = tools;
      tools.expectListeners(input.concurrency * 4 + 10);
      const loaded = await loadPage(input, tools);
      const { backupContainer, changed, byName } = loaded;
      const intents = intentsOf(input, backupContainer);
      const ctx = itemContext(input, tools, backupContainer, intents, {
        ...options,
        reuseSnapshotsSince: info.attempt > 1 ? new Date(info.scheduledTimestampMs) : undefined,
      });
      // Before any copy is written: garbage collection keeps what a running page declared.
      await intents.declare(
        changed.flatMap((c) => copyNamesOf(ctx, c.blob)),
        signal,
      );
      let bytesCopied = 0; // by this attempt (journaled items of earlier attempts count as finished only)
      const done = await workThroughJournaled({
        journal: journalOf(input, backupContainer, changed.length),
        items: changed,
        nameOf: (c) => c.blob.name,
        concurrency: input.concurrency,
        work: async (c) => {
          const result = await backupItem(ctx, byName.get(c.blob.name)!);
          bytesCopied += result.bytes;
          return result;
        },
        // Read by `azbackup progress`/`status` (cli/live-progress.ts): the bar moves inside a page.
        onFinished: (finished) => tools.heartbeat({ finished, total: changed.length, bytesCopied }),
        abortSignal: signal,
      });
      return commitPage(input, loaded, done, signal);
    }),
  };
}
