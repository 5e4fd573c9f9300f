// exportDocumentWindow: the child workflow for one window of a windowed export (Cosmos DB, Mongo): its own
// history, retries and place in the UI; one activity exports it into the backup account or a replica.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities, ExportWindowInput, ReplicateWindowInput } from '../activities';
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
}

const { exportWindow, replicateWindow } = proxyActivities<Activities>({
  ...activityOptions('4 hours'),
  summary: 'export one window',
});

export async function exportDocumentWindow(input: ExportDocumentWindowInput): Promise<WindowCounts> {
  if (input.replicate) {
    const { documents } = await replicateWindow(input.replicate);
    return { documents, plainBytes: 0, storedBytes: 0 };
  }
  const record = await exportWindow(input.export!);
  return {
    documents: record.documents,
    plainBytes: record.plain.bytes,
    storedBytes: record.stored?.bytes ?? 0,
    ...(record.outside ? { sample: record.sample } : {}),
  };
}
