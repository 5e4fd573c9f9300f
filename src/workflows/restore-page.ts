// restoreContainerPage: the child workflow for one catalog page of a restore (up to 5,000 items).
import { proxyActivities } from '@temporalio/workflow';
import type { Activities, RestoreCounts, RestorePageInput } from '../activities';

const { restorePage } = proxyActivities<Activities>({
  startToCloseTimeout: '4 hours',
  heartbeatTimeout: '20 seconds',
  retry: {
    initialInterval: '2s',
    maximumInterval: '1 minute',
    nonRetryableErrorTypes: ['UnknownConnection', 'InvalidInput'],
  },
});

export async function restoreContainerPage(input: RestorePageInput): Promise<RestoreCounts> {
  return restorePage(input);
}
