// Progress on a terminal: one line redrawn in place with a bar; where output is not a terminal (CI
// logs, pipes), plain lines, so logs stay readable.

export function bar(done: number, total: number, width = 24): string {
  const fraction = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
  const filled = Math.round(fraction * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}%`;
}

export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

export class ProgressLine {
  private drawn = false;

  constructor(private readonly stream: ProgressStream = process.stdout) {}

  update(text: string): void {
    if (!this.stream.isTTY) {
      this.stream.write(`  ${text}\n`);
      return;
    }
    // Cut to the terminal's width: a wrapped line could not be redrawn in place.
    const width = this.stream.columns ?? 80;
    const line = text.length >= width ? `${text.slice(0, width - 2)}…` : text;
    this.stream.write(`\r\x1b[2K${line}`);
    this.drawn = true;
  }

  /** Leaves the last drawn line in place and moves below it. */
  finish(): void {
    if (this.drawn) this.stream.write('\n');
    this.drawn = false;
  }
}
