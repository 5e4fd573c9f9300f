// Transfer: copy one listing page of a source container to the backup account, server-side, with
// bounded concurrency. Heartbeats carry how far the page got, so a retry resumes mid-page; copy names
// are deterministic and written with if-none-match, so nothing is ever copied twice.
import { activityInfo, Context } from '@temporalio/activity';
import type { BlobItem } from '@azure/storage-blob';
import { setMaxListeners } from 'node:events';
import { emptyCounts, type BackupCounts } from '../domain/backup-counts';
import { backupObjectName } from '../domain/backup-naming';
import { mapWithConcurrency } from '../lib/async-pool';
import type { BlobAccount } from '../storage/blob-account';
import type { ConnectionRegistry } from '../storage/connections';
import { errorCodeOf, resolveConnection, statusCodeOf } from './failures';

/** Copy From URL copies synchronously up to 256 MiB; larger blobs take the asynchronous copy. */
const SYNC_COPY_LIMIT_BYTES = 256 * 1024 * 1024;
const MAX_REPORTED_FAILURES = 20;

export interface CopyPageInput {
  source: string;
  container: string;
  prefix?: string;
  backup: string;
  backupContainer: string;
  /** Listing position; undefined for the first page. */
  continuationToken?: string;
  pageSize: number;
  concurrency: number;
}

export interface CopyPageResult extends BackupCounts {
  nextContinuationToken?: string;
  failures: { blob: string; reason: string }[];
}

type Outcome = { kind: 'copied'; bytes: number } | { kind: 'skipped' | 'changed' } | { kind: 'failed'; reason: string };

interface PageHeartbeat {
  continuationToken?: string;
  /** Every item before this index is done and counted in `counts`. */
  doneThrough: number;
  counts: BackupCounts;
}

export function createTransferActivities(connections: ConnectionRegistry) {
  return {
    async copyPage(input: CopyPageInput): Promise<CopyPageResult> {
      const source = resolveConnection(() => connections.blob(input.source), 'source');
      const backup = resolveConnection(() => connections.blob(input.backup), 'backup');
      const ctx = Context.current();
      const signal = ctx.cancellationSignal;
      // Every in-flight request listens on the one cancellation signal.
      setMaxListeners(input.concurrency * 4 + 10, signal);
      const page = await listPage(source, input, signal);

      const previous = activityInfo().heartbeatDetails as PageHeartbeat | undefined;
      const resumed = previous?.continuationToken === input.continuationToken ? previous : undefined;
      const counts = resumed ? { ...resumed.counts } : { ...emptyCounts(), listed: page.items.length };
      const start = resumed?.doneThrough ?? 0;
      const done = new Array<boolean>(page.items.length).fill(false).fill(true, 0, start);
      let doneThrough = start;
      const failures: CopyPageResult['failures'] = [];

      await mapWithConcurrency(page.items.slice(start), input.concurrency, async (item, i) => {
        const outcome = await copyBlob(source, backup, input, item, signal);
        if (outcome.kind === 'copied') {
          counts.copied++;
          counts.bytesCopied += outcome.bytes;
        } else if (outcome.kind === 'failed') {
          counts.failed++;
          if (failures.length < MAX_REPORTED_FAILURES) failures.push({ blob: item.name, reason: outcome.reason });
        } else {
          counts[outcome.kind]++;
        }
        done[start + i] = true;
        while (doneThrough < done.length && done[doneThrough]) doneThrough++;
        ctx.heartbeat({ continuationToken: input.continuationToken, doneThrough, counts } satisfies PageHeartbeat);
      });
      return { ...counts, nextContinuationToken: page.continuationToken, failures };
    },
  };
}

async function listPage(source: BlobAccount, input: CopyPageInput, abortSignal: AbortSignal) {
  const container = source.service.getContainerClient(input.container);
  const pages = container
    .listBlobsFlat({ prefix: input.prefix, abortSignal })
    .byPage({ continuationToken: input.continuationToken, maxPageSize: input.pageSize });
  const first = await pages.next();
  if (first.done) return { items: [] as BlobItem[], continuationToken: undefined };
  const continuationToken = first.value.continuationToken || undefined;
  return { items: first.value.segment.blobItems, continuationToken };
}

async function copyBlob(
  source: BlobAccount,
  backup: BlobAccount,
  input: CopyPageInput,
  item: BlobItem,
  abortSignal: AbortSignal,
): Promise<Outcome> {
  const sourceBlob = source.service.getContainerClient(input.container).getBlobClient(item.name);
  const targetName = backupObjectName({
    account: source.accountName,
    container: input.container,
    blobName: item.name,
    version: item.properties.etag ?? '',
  });
  const target = backup.service.getContainerClient(input.backupContainer).getBlockBlobClient(targetName);
  const size = item.properties.contentLength ?? 0;
  try {
    const url = await source.readUrl(sourceBlob, { abortSignal });
    const options = {
      abortSignal,
      // Only copy the exact version we listed, and never overwrite a copy that exists.
      sourceConditions: { ifMatch: item.properties.etag },
      conditions: { ifNoneMatch: '*' },
    };
    if (size <= SYNC_COPY_LIMIT_BYTES) {
      await target.syncCopyFromURL(url, options);
    } else {
      const poller = await target.beginCopyFromURL(url, { ...options, intervalInMs: 2_000 });
      poller.onProgress(() => Context.current().heartbeat());
      await poller.pollUntilDone();
    }
    return { kind: 'copied', bytes: size };
  } catch (err) {
    const status = statusCodeOf(err);
    const code = errorCodeOf(err);
    if (status === 409 && code === 'BlobAlreadyExists') return { kind: 'skipped' };
    if (status === 404 || (status === 412 && code !== 'TargetConditionNotMet')) return { kind: 'changed' };
    if (status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429) {
      return { kind: 'failed', reason: `${status} ${code ?? ''}: ${(err as Error).message.split('\n')[0]}` };
    }
    throw err; // transient: the activity's retry policy handles it, resuming from the heartbeat
  }
}
