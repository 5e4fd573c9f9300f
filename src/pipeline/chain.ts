// Running a chain: a source, byte-stream stages (filters, meters) and a sink, under node's stream
// `pipeline`, so backpressure holds memory to a few chunks per stage end to end, an error anywhere
// destroys every stage, and an abort signal cancels the lot (the sink sees it and abandons its write).
import { pipeline as pipelineWithCallback, type Duplex, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** The array form of `pipeline` is typed for streams only, though it also takes iterables and functions. */
type AnyStreams = ReadonlyArray<NodeJS.ReadableStream | NodeJS.WritableStream | NodeJS.ReadWriteStream>;

export type ChainSource = Readable | AsyncIterable<Buffer> | Iterable<Buffer>;

export interface SinkWriteOptions {
  /** Aborted when the chain fails or is cancelled. */
  abortSignal: AbortSignal;
}

/** Where a chain ends. `write` consumes the whole stream and resolves once what it wrote is durable. */
export interface Sink<R> {
  write(source: AsyncIterable<Buffer>, options: SinkWriteOptions): Promise<R>;
}

export interface ChainOptions {
  abortSignal?: AbortSignal;
}

/** Streams `source` through `stages` into `sink`; resolves with the sink's result. */
export async function runChain<R>(
  source: ChainSource,
  stages: readonly Duplex[],
  sink: Sink<R>,
  options: ChainOptions = {},
): Promise<R> {
  let written: Promise<R> | undefined;
  const end = (input: AsyncIterable<Buffer>, { signal }: { signal: AbortSignal }) => {
    written = sink.write(input, { abortSignal: signal });
    return written;
  };
  const streams = [source, ...stages, end] as unknown as AnyStreams;
  try {
    await pipeline(streams, { signal: options.abortSignal });
  } catch (err) {
    // pipeline rejects at the first error; the sink may still be cleaning up (removing a partial file,
    // stopping block uploads). Settle it first, so that the caller sees the state the failure leaves.
    await written?.catch(() => {});
    throw err;
  }
  return written!;
}

/**
 * Streams `source` through `stages` and returns the last stage to read from (e.g. with `decodeNdjson`).
 * An error in any stage, or the abort, surfaces on that stream.
 */
export function openChain(source: ChainSource, stages: readonly Duplex[], options: ChainOptions = {}): Readable {
  if (stages.length === 0) throw new RangeError('openChain needs at least one stage to read from');
  const streams = [source, ...stages] as unknown as AnyStreams;
  const last = pipelineWithCallback(streams, () => {}) as unknown as Readable;
  const signal = options.abortSignal;
  if (signal) {
    const abort = () => last.destroy(signal.reason as Error);
    if (signal.aborted) abort();
    else {
      signal.addEventListener('abort', abort, { once: true });
      last.once('close', () => signal.removeEventListener('abort', abort));
    }
  }
  return last;
}
