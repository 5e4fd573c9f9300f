// Fault injection for tests: request decorators on a connection's pipeline that make the real service
// misbehave in ways Azurite will not by itself (a corrupted copy, a 501 for a supported call).
import { createHttpHeaders, type PipelineRequest, type PipelineResponse } from '@azure/core-rest-pipeline';
import { BlobClient, type BlockBlobClient } from '@azure/storage-blob';
import type { RequestDecorator } from '../../src/storage/pipeline-policies';

const isCopyFromUrl = (r: PipelineRequest) => r.method === 'PUT' && r.headers.get('x-ms-copy-source') !== undefined;
const isPutBlockFromUrl = (r: PipelineRequest) =>
  isCopyFromUrl(r) && new URL(r.url).searchParams.get('comp') === 'block';

/** After a successful Copy Blob From URL to a target whose name contains `marker`, damage the copy. */
export function corruptCopies(
  marker: string,
  damage: 'flip-byte' | 'truncate',
  writer: (name: string) => BlockBlobClient,
): RequestDecorator {
  return async (request, next) => {
    const response = await next(request);
    const url = new URL(request.url);
    if (
      isCopyFromUrl(request) &&
      !url.searchParams.has('comp') &&
      response.status < 300 &&
      url.pathname.includes(marker)
    ) {
      const name = decodeURIComponent(url.pathname.split('/').slice(3).join('/'));
      const target = writer(name);
      const body = await target.downloadToBuffer();
      const bad =
        damage === 'truncate'
          ? body.subarray(0, body.length - 1)
          : Buffer.from(body.map((b, i) => (i === 0 ? b ^ 0xff : b)));
      // Rewritten as a block list, the copy has no stored MD5 (Azurite checks one on every write), like a
      // multi-block upload: only reading the bytes back can tell it from the source.
      const id = Buffer.from('corrupt').toString('base64');
      await target.stageBlock(id, bad, bad.length);
      await target.commitBlockList([id]);
    }
    return response;
  };
}

/**
 * After a successful Put Block From URL of the first range into a target whose name contains `marker`,
 * stage that block again with one byte flipped: the committed copy has the source's size, not its bytes.
 */
export function corruptFirstRange(marker: string, writer: (name: string) => BlockBlobClient): RequestDecorator {
  return async (request, next) => {
    const response = await next(request);
    const url = new URL(request.url);
    const range = /^bytes=(\d+)-(\d+)$/.exec(request.headers.get('x-ms-source-range') ?? '');
    if (isPutBlockFromUrl(request) && response.status < 300 && url.pathname.includes(marker) && range?.[1] === '0') {
      const name = decodeURIComponent(url.pathname.split('/').slice(3).join('/'));
      const source = new BlobClient(request.headers.get('x-ms-copy-source')!);
      const bytes = await source.downloadToBuffer(0, Number(range[2]) + 1);
      bytes[0] = bytes[0]! ^ 0xff;
      await writer(name).stageBlock(url.searchParams.get('blockid')!, bytes, bytes.length);
    }
    return response;
  };
}

/** Records the `x-ms-source-content-md5` of each Copy Blob From URL, by target path. */
export function copySourceMd5s(seen: Map<string, string | undefined>): RequestDecorator {
  return (request, next) => {
    const url = new URL(request.url);
    if (isCopyFromUrl(request) && !url.searchParams.has('comp'))
      seen.set(decodeURIComponent(url.pathname), request.headers.get('x-ms-source-content-md5'));
    return next(request);
  };
}

/** Answers Put Block From URL with 501 Not Implemented, like a service that lacks it. */
export function putBlockFromUrlNotImplemented(seen: { count: number }): RequestDecorator {
  return async (request, next) => {
    if (!isPutBlockFromUrl(request)) return next(request);
    seen.count++;
    const bodyAsText =
      '<?xml version="1.0" encoding="utf-8"?><Error><Code>NotImplemented</Code><Message>Put Block From URL is not implemented.</Message></Error>';
    const headers = createHttpHeaders({ 'content-type': 'application/xml', 'x-ms-error-code': 'NotImplemented' });
    return { request, status: 501, headers, bodyAsText } satisfies PipelineResponse;
  };
}

/** Records the time of every request (for checking a request-rate cap). */
export function requestTimes(times: number[]): RequestDecorator {
  return (request, next) => {
    times.push(performance.now());
    return next(request);
  };
}

/**
 * Drops the first copy into a target whose name contains `marker`, as a connection lost mid-request
 * would (an error the SDK does not retry itself), so the page fails after the item's snapshot was taken.
 */
export function dropFirstCopy(marker: string, seen: { count: number }): RequestDecorator {
  return async (request, next) => {
    if (isCopyFromUrl(request) && new URL(request.url).pathname.includes(marker) && seen.count++ === 0)
      throw new Error('injected: the connection dropped before the copy answered');
    return next(request);
  };
}

/**
 * Holds every append to a backup page's journal (`…/progress/…`) whose path contains `marker` until
 * `release()`: the moment a running backup has settled an item that no journal names yet, stretched at
 * will. `held` resolves when the first append is held.
 */
export function holdJournalAppends(marker: string): {
  decorator: RequestDecorator;
  held: Promise<void>;
  release(): void;
} {
  let release!: () => void;
  let heldOne!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const held = new Promise<void>((r) => (heldOne = r));
  const decorator: RequestDecorator = async (request, next) => {
    const url = new URL(request.url);
    if (
      request.method === 'PUT' &&
      url.searchParams.get('comp') === 'appendblock' &&
      url.pathname.includes('/progress/') &&
      url.pathname.includes(marker)
    ) {
      heldOne();
      await released;
    }
    return next(request);
  };
  return { decorator, held, release };
}

/**
 * When Copy Blob From URL into a target whose path contains `marker` is refused because the copy already
 * exists, deletes that copy before answering: a garbage collection sweep landing between a backup's
 * decision to reuse a copy and its touch.
 */
export function sweepReusedCopy(marker: string, deleter: (name: string) => Promise<unknown>): RequestDecorator {
  return async (request, next) => {
    const response = await next(request);
    const url = new URL(request.url);
    if (isCopyFromUrl(request) && response.status === 409 && url.pathname.includes(marker))
      await deleter(decodeURIComponent(url.pathname.split('/').slice(3).join('/')));
    return response;
  };
}

export interface InjectedAnswer {
  status: number;
  code: string;
  message: string;
}

/**
 * The first attempts of each matching request (per blob path) get `answers` in order, as a busy or
 * failing service would answer them; later attempts go through. `seen` counts what was injected.
 */
export function failFirstAttempts(
  matches: (request: PipelineRequest) => boolean,
  answers: InjectedAnswer[],
  seen: InjectedAnswer[],
): RequestDecorator {
  const attempts = new Map<string, number>();
  return async (request, next) => {
    if (!matches(request)) return next(request);
    const path = new URL(request.url).pathname;
    const attempt = attempts.get(path) ?? 0;
    attempts.set(path, attempt + 1);
    const answer = answers[attempt];
    if (!answer) return next(request);
    seen.push(answer);
    const bodyAsText = `<?xml version="1.0" encoding="utf-8"?><Error><Code>${answer.code}</Code><Message>${answer.message}</Message></Error>`;
    const headers = createHttpHeaders({ 'content-type': 'application/xml', 'x-ms-error-code': answer.code });
    return { request, status: answer.status, headers, bodyAsText } satisfies PipelineResponse;
  };
}

/** Copy Blob From URL into a target whose path contains `marker`. */
export const copyInto = (marker: string) => (r: PipelineRequest) =>
  isCopyFromUrl(r) && !new URL(r.url).searchParams.has('comp') && new URL(r.url).pathname.includes(marker);

/** Create Snapshot of a blob whose path contains `marker`. */
export const snapshotOf = (marker: string) => (r: PipelineRequest) =>
  r.method === 'PUT' &&
  new URL(r.url).searchParams.get('comp') === 'snapshot' &&
  new URL(r.url).pathname.includes(marker);

/**
 * Lets the first `passed` matching requests through, then holds every later one until `release()`: a run
 * stopped at a known point inside a page. `held` resolves when the first request is held.
 */
export function holdAfter(
  matches: (request: PipelineRequest) => boolean,
  passed: number,
): { decorator: RequestDecorator; held: Promise<void>; release(): void } {
  let release!: () => void;
  let heldOne!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const held = new Promise<void>((r) => (heldOne = r));
  let seen = 0;
  const decorator: RequestDecorator = async (request, next) => {
    if (matches(request) && ++seen > passed) {
      heldOne();
      await released;
    }
    return next(request);
  };
  return { decorator, held, release };
}
