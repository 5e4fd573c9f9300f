// backupContainerPage: the child workflow for one inventory page (a shard of up to pageSize blobs):
// its own history, retries and place in the UI, one activity doing the page's work.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities, BackupPageInput } from '../activities';
import type { BackupCounts } from '../domain/backup-counts';

const { backupPage } = proxyActivities<Activities>({
  startToCloseTimeout: '4 hours',
  heartbeatTimeout: '20 seconds', // activities heartbeat every 5 s: a dead worker's page moves on within 20 s
  retry: {
    initialInterval: '2s',
    maximumInterval: '1 minute',
    nonRetryableErrorTypes: ['UnknownConnection', 'InvalidInput'],
  },
});

export async function backupContainerPage(input: BackupPageInput): Promise<BackupCounts> {
  return backupPage(input);
}
