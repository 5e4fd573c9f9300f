// Live progress as the CLI shows it: a workflow's `progress` query (pages done) plus what its pages in
// flight have finished, read from their page activity's heartbeat details ({ finished, total,
// bytesCopied }), so a one-page run's bar moves as items complete. Reading heartbeats through describe
// costs no workflow history; the query alone would only move when a page ends.
import type { WorkflowClient } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';

export interface PageInFlight {
  workflowId: string;
  /** Items of the page finished so far (earlier attempts' included). */
  finished: number;
  /** Items the page has to work through (0 until its first item finishes). */
  total: number;
  bytesCopied: number;
}

/** The running children of `workflowId` and what their activity reported last. */
export async function pagesInFlight(client: WorkflowClient, workflowId: string): Promise<PageInFlight[]> {
  const { raw } = await client.getHandle(workflowId).describe();
  const children = (raw.pendingChildren ?? []).map((c) => c.workflowId).filter((id): id is string => !!id);
  const pages = await Promise.all(
    children.map(async (id) => {
      const child = await client
        .getHandle(id)
        .describe()
        .catch(() => undefined);
      const payload = child?.raw.pendingActivities?.[0]?.heartbeatDetails?.payloads?.[0];
      const details = payload ? (defaultPayloadConverter.fromPayload(payload) as Partial<PageInFlight>) : {};
      return {
        workflowId: id,
        finished: numberOr0(details.finished),
        total: numberOr0(details.total),
        bytesCopied: numberOr0(details.bytesCopied),
      };
    }),
  );
  return pages;
}

const numberOr0 = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** Pages done, counting each page in flight by the share of its items finished. */
export function pagesDoneWithInFlight(pagesDone: number, inFlight: PageInFlight[]): number {
  return pagesDone + inFlight.reduce((sum, p) => sum + (p.total > 0 ? Math.min(1, p.finished / p.total) : 0), 0);
}

export interface Pace {
  itemsPerSecond: number;
  bytesPerSecond: number;
  /** Seconds left at the pace so far; undefined while the total is unknown or nothing is done yet. */
  etaSeconds?: number;
}

/** Throughput over the run so far and the time left, from the share of the work done. */
export function paceOf(options: {
  elapsedMs: number;
  items: number;
  bytes: number;
  done: number;
  total: number;
  totalKnown: boolean;
}): Pace {
  const seconds = Math.max(options.elapsedMs / 1000, 0.001);
  const pace: Pace = { itemsPerSecond: options.items / seconds, bytesPerSecond: options.bytes / seconds };
  if (options.totalKnown && options.done > 0 && options.total >= options.done)
    pace.etaSeconds = Math.round((seconds * (options.total - options.done)) / options.done);
  return pace;
}

export function formatPace(p: Pace): string {
  const eta = p.etaSeconds === undefined ? 'ETA unknown' : `ETA ${formatDuration(p.etaSeconds)}`;
  return `${p.itemsPerSecond.toFixed(1)} items/s, ${formatBytes(p.bytesPerSecond)}/s, ${eta}`;
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
  return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
}
