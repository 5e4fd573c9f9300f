// The token bucket's cap, burst and cancellation (real timers; the bounds are generous on purpose:
// this checks the mechanism, the benchmark measures throughput).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TokenBucket } from '../../src/storage/token-bucket';

describe('TokenBucket', () => {
  it('lets a burst through at once, then paces at the rate', async () => {
    const bucket = new TokenBucket({ ratePerSecond: 50, burst: 5 });
    const started = performance.now();
    const times: number[] = [];
    await Promise.all(
      Array.from({ length: 15 }, () => bucket.take().then(() => times.push(performance.now() - started))),
    );
    times.sort((a, b) => a - b);
    assert.ok(times[4]! < 15, `first 5 (the burst) immediately, got ${times[4]} ms`);
    // 10 more tokens at 50/s need at least ~200 ms.
    assert.ok(times[14]! >= 180, `15th token after >= 180 ms, got ${times[14]} ms`);
  });

  it('never exceeds the rate over a window, counted with an injected clock', async () => {
    let clock = 0;
    const bucket = new TokenBucket({ ratePerSecond: 10, burst: 1, now: () => clock });
    await bucket.take();
    const pending = bucket.take();
    let done = false;
    void pending.then(() => (done = true));
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(done, false, 'no token before the clock advances');
    clock += 100;
    await pending;
    assert.equal(done, true);
  });

  it('rejects a waiter whose signal aborts, and keeps serving the others', async () => {
    const bucket = new TokenBucket({ ratePerSecond: 5, burst: 1 });
    await bucket.take();
    const controller = new AbortController();
    const aborted = bucket.take(controller.signal);
    controller.abort(new Error('cancelled'));
    await assert.rejects(aborted, /cancelled/);
    await bucket.take(); // still works
  });

  it('rejects a non-positive rate', () => {
    assert.throws(() => new TokenBucket({ ratePerSecond: 0 }), /ratePerSecond must be > 0/);
  });
});
