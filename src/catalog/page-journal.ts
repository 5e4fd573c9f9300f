// A page's progress journal: an append blob of finished items, flushed in batches, so a retried page
// (worker crash, transient error) skips what was done instead of snapshotting and copying it again.
import type { AppendBlobClient } from '@azure/storage-blob';
import type { CatalogEntry } from '../domain/catalog-record';
import { mapWithConcurrency } from '../lib/async-pool';
import { statusCodeOf } from '../storage/errors';
import { parseLine } from './ndjson-blob';

export interface ItemResult {
  name: string;
  outcome: 'copied' | 'skipped' | 'failed';
  reason?: string;
  /** The catalog entry of the version now backed up (copied, or an identical copy found). */
  entry?: CatalogEntry;
  snapshotted: boolean;
  bytes: number;
}

const FLUSH_EVERY = 100;
export const FLUSH_AFTER_MS = 1_000;

/** What a journal needs of a result; backup pages journal `ItemResult`s, restore pages their own. */
export interface JournalEntry {
  name: string;
  outcome: string;
}

export class PageJournal<T extends JournalEntry = ItemResult> {
  private pending: T[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly blob: AppendBlobClient) {}

  /** Results of earlier attempts at this page (empty on the first). */
  async load(abortSignal?: AbortSignal): Promise<Map<string, T>> {
    const done = new Map<string, T>();
    try {
      const text = (await this.blob.downloadToBuffer(0, undefined, { abortSignal })).toString('utf8');
      for (const line of text.split('\n')) {
        if (!line) continue;
        const result = parseLine<T>(line, this.blob.name);
        // Failed items are tried again; only what succeeded or was skipped for good is kept.
        if (result.outcome !== 'failed') done.set(result.name, result);
      }
    } catch (err) {
      if (statusCodeOf(err) !== 404) throw err;
      await this.blob.createIfNotExists({ abortSignal });
    }
    return done;
  }

  record(result: T): void {
    this.pending.push(result);
    // A failed append surfaces at the final (awaited) flush, which then fails the attempt.
    if (this.pending.length >= FLUSH_EVERY) this.flush().catch(() => {});
    // Within a second a finished copy is journaled: garbage collection sees it (its grace period is far longer).
    else this.timer ??= setTimeout(() => this.flush().catch(() => {}), FLUSH_AFTER_MS);
  }

  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending.splice(0);
    if (batch.length) {
      const body = batch.map((r) => JSON.stringify(r)).join('\n') + '\n';
      this.flushing = this.flushing.then(() => this.blob.appendBlock(body, Buffer.byteLength(body)).then(() => {}));
    }
    return this.flushing;
  }
}

export interface JournaledWorkOptions<I, R> {
  /** Where finished items are journaled; none (a dry run, a page with nothing to do) keeps them in memory. */
  journal?: PageJournal<R & JournalEntry>;
  items: readonly I[];
  nameOf: (item: I) => string;
  concurrency: number;
  work: (item: I) => Promise<R>;
  /** After each item, with how many are finished, earlier attempts' included. */
  onFinished?: (finished: number) => void;
  abortSignal?: AbortSignal;
}

/**
 * The loop of a backup or restore page: the items an earlier attempt has not journaled are worked
 * through, `concurrency` at a time, each result journaled as it finishes. Every result by name.
 */
export async function workThroughJournaled<I, R extends JournalEntry>(
  options: JournaledWorkOptions<I, R>,
): Promise<Map<string, R>> {
  const { journal, nameOf } = options;
  const done = journal ? await journal.load(options.abortSignal) : new Map<string, R>();
  let finished = done.size;
  try {
    const todo = options.items.filter((item) => !done.has(nameOf(item)));
    await mapWithConcurrency(todo, options.concurrency, async (item) => {
      const result = await options.work(item);
      done.set(result.name, result);
      journal?.record(result);
      options.onFinished?.(++finished);
    });
  } finally {
    await journal?.flush();
  }
  return done;
}
