// restoreContainerPage: the child workflow for one catalog page of a restore (up to 5,000 items).
import { proxyActivities } from '@temporalio/workflow';
import type { Activities, RestorePageInput } from '../activities';
import type { RestoreCounts } from '../domain/restore-counts';
import { catalogPageSummary } from '../domain/run-summaries';
import { activityOptions } from './workflow-rules';

const { restorePage } = proxyActivities<Activities>(activityOptions('4 hours'));

export async function restoreContainerPage(input: RestorePageInput): Promise<RestoreCounts> {
  return restorePage.executeWithOptions({ summary: catalogPageSummary(input.pageIndex, input.runKey) }, [input]);
}
