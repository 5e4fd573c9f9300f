// A sink that keeps nothing and counts what arrived. It ends a deep verify (read a backup back through
// its reverse chain and verifying meters, writing nothing) and benchmarks.
import type { Sink } from './chain';

export class DiscardSink implements Sink<{ bytes: number }> {
  async write(source: AsyncIterable<Buffer>): Promise<{ bytes: number }> {
    let bytes = 0;
    for await (const chunk of source) bytes += chunk.length;
    return { bytes };
  }
}
