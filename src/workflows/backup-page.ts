// backupContainerPage: the child workflow for one inventory page (a shard of up to pageSize blobs):
// its own history, retries and place in the UI. The worker's copy engine does the page in one activity;
// with an `adf` connection, a page with many changed bytes is planned, moved by a Data Factory run, and
// verified and cataloged by the worker (copies named exactly as the worker names them).
import { ActivityCancellationType, proxyActivities } from '@temporalio/workflow';
import type { Activities, BackupPageInput } from '../activities';
import { ADF_PIPELINES } from '../adf/pipelines';
import type { BackupCounts } from '../domain/backup-counts';
import { namePageSummary } from '../domain/run-summaries';
import { activityOptions } from './workflow-rules';

const { backupPage, planAdfPage, finishAdfPage } = proxyActivities<Activities>(activityOptions('4 hours'));
// A Data Factory run may take long; cancelling the page waits until the run is cancelled too.
const { runAdfPipeline } = proxyActivities<Activities>({
  ...activityOptions('24 hours'),
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
});

export async function backupContainerPage(input: BackupPageInput): Promise<BackupCounts> {
  const summary = namePageSummary(input.pageIndex, input.range);
  if (input.adf) {
    const plan = await planAdfPage.executeWithOptions({ summary: `plan the Data Factory move of ${summary}` }, [input]);
    if (plan.move) {
      if (plan.entries > 0)
        await runAdfPipeline.executeWithOptions(
          { summary: `Data Factory copies ${plan.entries} blobs of ${summary}` },
          [
            {
              adf: input.adf,
              pipeline: ADF_PIPELINES.copyBlobs,
              parameters: { listPath: plan.listPath, logPath: plan.logPath },
              pollEveryMs: input.adfPollEveryMs,
            },
          ],
        );
      return finishAdfPage.executeWithOptions({ summary: `verify and catalog ${summary}` }, [input]);
    }
  }
  return backupPage.executeWithOptions({ summary }, [input]);
}
