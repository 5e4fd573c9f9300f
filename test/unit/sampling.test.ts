// Drill sampling: seeded (the same seed, the same sample), uniform over the whole run, capped.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Sampler, type SampleSize } from '../../src/domain/sampling';

const names = Array.from({ length: 10_000 }, (_, i) => `n${String(i).padStart(5, '0')}`);

function sample(size: SampleSize, seed: number): string[] {
  const sampler = new Sampler(size, seed);
  for (const n of names) sampler.offer(n);
  return sampler.picked();
}

describe('drill sampling', () => {
  it('picks count items, the same ones for the same seed, other ones for another', () => {
    const a = sample({ count: 50, maxItems: 1000 }, 7);
    assert.equal(a.length, 50);
    assert.equal(new Set(a).size, 50);
    assert.deepEqual(sample({ count: 50, maxItems: 1000 }, 7), a);
    assert.notDeepEqual(sample({ count: 50, maxItems: 1000 }, 8), a);
  });

  it('picks about percent of the items', () => {
    const picked = sample({ percent: 5, maxItems: 10_000 }, 1).length;
    assert.ok(picked > 400 && picked < 600, `5% of 10,000 picked ${picked}`);
  });

  it('spreads a capped percentage over the whole run, not its first names', () => {
    // 50% of 10,000 capped at 100: a biased cap would take names from the first ~200 only.
    const picked = sample({ percent: 50, maxItems: 100 }, 3);
    assert.equal(picked.length, 100);
    const secondHalf = picked.filter((n) => n >= 'n05000').length;
    assert.ok(secondHalf > 30 && secondHalf < 70, `${secondHalf} of 100 picks in the second half`);
  });

  it('never returns more than maxItems for a count either', () => {
    assert.equal(sample({ count: 500, maxItems: 20 }, 2).length, 20);
  });
});
