// A FIFO of byte chunks that hands out exact-size pieces, copying only when a piece spans two chunks:
// how decryption cuts an arbitrarily chunked stream into sealed chunks without buffering more than one.

export class ByteQueue {
  private pieces: Buffer[] = [];
  private _length = 0;

  get length(): number {
    return this._length;
  }

  push(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.pieces.push(bytes);
    this._length += bytes.length;
  }

  /** The first `n` bytes (n ≤ length), left in the queue. */
  peek(n: number): Buffer {
    return this.read(n, false);
  }

  /** Removes and returns the first `n` bytes (n ≤ length). */
  take(n: number): Buffer {
    return this.read(n, true);
  }

  private read(n: number, remove: boolean): Buffer {
    if (n > this._length) throw new RangeError(`asked for ${n} bytes, ${this._length} queued`);
    const first = this.pieces[0];
    let out: Buffer;
    if (first && first.length >= n) {
      out = first.subarray(0, n);
      if (remove) {
        if (first.length === n) this.pieces.shift();
        else this.pieces[0] = first.subarray(n);
      }
    } else {
      out = Buffer.allocUnsafe(n);
      let filled = 0;
      let i = 0;
      while (filled < n) {
        const piece = this.pieces[i]!;
        const used = Math.min(piece.length, n - filled);
        piece.copy(out, filled, 0, used);
        filled += used;
        if (!remove) i++;
        else if (used === piece.length) this.pieces.shift();
        else this.pieces[0] = piece.subarray(used);
      }
    }
    if (remove) this._length -= n;
    return out;
  }
}
