// Copies a running page is about to write, declared before it writes them. A copy is named by its
// journal entry only once it is verified, which for a large blob can be minutes after the copy exists;
// garbage collection counts a running run's intents as references, so a sweep never takes a copy in
// that gap. One append per page for the names it can predict; one more for a blob that changed between
// listing and snapshot (its copy is named by the new version).
import type { AppendBlobClient } from '@azure/storage-blob';

/** An append block holds at most 4 MiB; a page's names are appended in parts below that. */
const MAX_APPEND_BYTES = 4 * 1024 * 1024 - 1024;

export class CopyIntents {
  private created = false;

  constructor(private readonly blob: AppendBlobClient) {}

  /** Durably declares `names` (one per line) before any of them is written. */
  async declare(names: readonly string[], abortSignal?: AbortSignal): Promise<void> {
    if (names.length === 0) return;
    if (!this.created) {
      await this.blob.createIfNotExists({ abortSignal });
      this.created = true;
    }
    let part: string[] = [];
    let bytes = 0;
    const flush = async () => {
      const body = part.join('');
      if (body) await this.blob.appendBlock(body, Buffer.byteLength(body), { abortSignal });
      part = [];
      bytes = 0;
    };
    for (const name of names) {
      const line = `${name}\n`;
      const size = Buffer.byteLength(line);
      if (bytes + size > MAX_APPEND_BYTES) await flush();
      part.push(line);
      bytes += size;
    }
    await flush();
  }
}

/** Every name declared in one intents blob. */
export async function readIntents(blob: AppendBlobClient, abortSignal?: AbortSignal): Promise<string[]> {
  const text = (await blob.downloadToBuffer(0, undefined, { abortSignal })).toString('utf8');
  return text.split('\n').filter(Boolean);
}
