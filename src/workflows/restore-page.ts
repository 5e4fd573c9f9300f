// restoreContainerPage: the child workflow for one catalog page of a restore (up to 5,000 items).
import { proxyActivities } from '@temporalio/workflow';
import type { Activities, RestoreCounts, RestorePageInput } from '../activities';
import { activityOptions } from './workflow-rules';

const { restorePage } = proxyActivities<Activities>(activityOptions('4 hours'));

export async function restoreContainerPage(input: RestorePageInput): Promise<RestoreCounts> {
  return restorePage(input);
}
