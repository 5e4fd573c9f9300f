// backupContainerPage: the child workflow for one inventory page (a shard of up to pageSize blobs):
// its own history, retries and place in the UI, one activity doing the page's work.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities, BackupPageInput } from '../activities';
import type { BackupCounts } from '../domain/backup-counts';
import { activityOptions } from './workflow-rules';

const { backupPage } = proxyActivities<Activities>(activityOptions('4 hours'));

export async function backupContainerPage(input: BackupPageInput): Promise<BackupCounts> {
  return backupPage(input);
}
