// exportDocumentWindow: the child workflow for one window of a windowed export (Cosmos DB, Mongo): its own
// history, retries and place in the UI; one activity exports it into the backup account or a replica. In
// mode adf, a Data Factory run exports the window to a staging object and the worker adopts it (the same
// chain and catalog record as its own export).
import { ActivityCancellationType, proxyActivities } from '@temporalio/workflow';
import type { Activities, ExportWindowInput, ReplicateWindowInput } from '../activities';
import { windowPipeline } from '../adf/pipelines';
import { exportPaths } from '../domain/catalog-layout';
import { mongoWindowFilterJson, objectIdWindow } from '../domain/objectid-windows';
import { cosmosTsBounds } from '../domain/time-windows';
import { windowSummary } from '../domain/run-summaries';
import { activityOptions } from './workflow-rules';

export interface ExportDocumentWindowInput {
  export?: ExportWindowInput;
  replicate?: ReplicateWindowInput;
}

export interface WindowCounts {
  documents: number;
  plainBytes: number;
  storedBytes: number;
  /** The pass for documents no window sees: a few of their keys, for the result. */
  sample?: string[];
  /** A window that also read the documents no window sees: how many, and a few of their keys. */
  outside?: { documents: number; sample: string[] };
}

const { exportWindow, replicateWindow, adoptAdfWindow } = proxyActivities<Activities>(activityOptions('4 hours'));
// Cancelling the window waits until the Data Factory run is cancelled too.
const { runAdfPipeline } = proxyActivities<Activities>({
  ...activityOptions('24 hours'),
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
});

export async function exportDocumentWindow(input: ExportDocumentWindowInput): Promise<WindowCounts> {
  if (input.replicate) {
    const r = input.replicate;
    const { documents } = await replicateWindow.executeWithOptions({ summary: windowSummary(r.window, r.pass) }, [r]);
    return { documents, plainBytes: 0, storedBytes: 0 };
  }
  const job = input.export!;
  const summary = windowSummary(job.window, job.pass);
  const record = job.adf
    ? await viaDataFactory(job, job.adf, summary)
    : await exportWindow.executeWithOptions({ summary }, [job]);
  return {
    documents: record.documents,
    plainBytes: record.plain.bytes,
    storedBytes: record.stored?.bytes ?? 0,
    ...(record.outside ? { sample: record.sample } : {}),
    ...(record.outsideDocuments !== undefined
      ? { outside: { documents: record.outsideDocuments, sample: record.sample ?? [] } }
      : {}),
  };
}

async function viaDataFactory(job: ExportWindowInput, adf: NonNullable<ExportWindowInput['adf']>, summary: string) {
  const objectPath = `${job.backupContainer}/${exportPaths.adfStaging(job.scope, job.runKey, job.window.index)}`;
  const { database, container } = job.source;
  const parameters =
    job.kind === 'mongo'
      ? { database, collection: container, filter: mongoWindowFilterJson(objectIdWindow(job.window)), objectPath }
      : { database, container, ...cosmosTsBounds(job.window), objectPath };
  const run = await runAdfPipeline.executeWithOptions({ summary: `Data Factory exports ${summary}` }, [
    { adf: adf.connection, pipeline: windowPipeline(job.kind), parameters, pollEveryMs: adf.pollEveryMs },
  ]);
  return adoptAdfWindow.executeWithOptions({ summary: `adopt ${summary}` }, [
    { ...job, rowsCopied: run.output?.rowsCopied },
  ]);
}
