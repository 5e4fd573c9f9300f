// A running pipeline's progress, as its activity heartbeats it: the stage, bytes in (read from the
// source, or from the store on restore) and out (written), and their rates. Counted by pass-through
// stages at both ends of the chain; reported at most once a second.
import { Transform, type TransformCallback } from 'node:stream';

export interface PipelineProgress {
  stage: string;
  bytesIn: number;
  bytesOut: number;
  elapsedSeconds: number;
  inMiBPerSecond: number;
  outMiBPerSecond: number;
}

export class ProgressTracker {
  private stage = 'checking';
  private bytesIn = 0;
  private bytesOut = 0;
  private readonly startedAt = Date.now();
  private reportedAt = 0;

  constructor(private readonly report: (progress: PipelineProgress) => void) {}

  enter(stage: string): void {
    this.stage = stage;
    this.flush();
  }

  /** Counts what flows by as bytes in (`in`) or out (`out`). */
  counter(end: 'in' | 'out'): Transform {
    return new Transform({
      transform: (chunk: Buffer, _encoding, callback: TransformCallback) => {
        if (end === 'in') this.bytesIn += chunk.length;
        else this.bytesOut += chunk.length;
        if (Date.now() - this.reportedAt >= 1000) this.flush();
        callback(null, chunk);
      },
    });
  }

  snapshot(): PipelineProgress {
    const elapsedSeconds = (Date.now() - this.startedAt) / 1000;
    const rate = (bytes: number) => Math.round((bytes / 1048576 / Math.max(elapsedSeconds, 0.001)) * 10) / 10;
    return {
      stage: this.stage,
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
      elapsedSeconds: Math.round(elapsedSeconds * 10) / 10,
      inMiBPerSecond: rate(this.bytesIn),
      outMiBPerSecond: rate(this.bytesOut),
    };
  }

  flush(): void {
    this.reportedAt = Date.now();
    this.report(this.snapshot());
  }
}
