// Name ranges (lo, hi] of catalog pages: membership, overlap and "can this page hold what a restore wants".
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inRange, rangeMayHold, rangesOverlap, sameRange, type NameRange } from '../../src/domain/name-range';

const r = (lo?: string, hi?: string): NameRange => ({ lo, hi });

describe('inRange', () => {
  const cases: [string, NameRange, boolean][] = [
    ['b', r('a', 'c'), true],
    ['a', r('a', 'c'), false], // lo is exclusive
    ['c', r('a', 'c'), true], // hi is inclusive
    ['d', r('a', 'c'), false],
    ['', r(undefined, 'c'), true],
    ['zzz', r('a'), true],
    ['anything', r(), true],
    ['B', r('a', 'c'), false], // 'B' < 'a' in code unit order
  ];
  for (const [name, range, expected] of cases) {
    it(`${JSON.stringify(name)} in (${range.lo}, ${range.hi}] -> ${expected}`, () =>
      assert.equal(inRange(name, range), expected));
  }
});

describe('rangesOverlap', () => {
  const cases: [NameRange, NameRange, boolean][] = [
    [r('a', 'c'), r('b', 'd'), true],
    [r('a', 'c'), r('c', 'e'), false], // (a, c] and (c, e] share nothing
    [r('c', 'e'), r('a', 'c'), false],
    [r('a', 'c'), r('a', 'c'), true],
    [r(), r('x', 'y'), true],
    [r(undefined, 'b'), r('b'), false],
    [r(undefined, 'b'), r('a'), true],
    [r('m'), r(undefined, 'n'), true],
  ];
  for (const [a, b, expected] of cases) {
    it(`(${a.lo}, ${a.hi}] and (${b.lo}, ${b.hi}] -> ${expected}`, () => {
      assert.equal(rangesOverlap(a, b), expected);
      assert.equal(rangesOverlap(b, a), expected, 'symmetric');
    });
  }
});

describe('sameRange', () => {
  it('compares both bounds, open ends included', () => {
    assert.equal(sameRange(r('a', 'b'), r('a', 'b')), true);
    assert.equal(sameRange(r('a'), r('a', undefined)), true);
    assert.equal(sameRange(r('a', 'b'), r('a')), false);
  });
});

describe('rangeMayHold', () => {
  const cases: [string, NameRange, { names?: string[]; prefix?: string }, boolean][] = [
    ['no filter', r('a', 'b'), {}, true],
    ['a listed name inside', r('a', 'c'), { names: ['x', 'b'] }, true],
    ['listed names all outside', r('a', 'c'), { names: ['a', 'x'] }, false],
    ['prefix inside the range', r('a', 'z'), { prefix: 'docs/' }, true],
    ['range before the prefix', r('a', 'c'), { prefix: 'docs/' }, false],
    ['range after the prefix', r('e', 'z'), { prefix: 'docs/' }, false],
    ['range starting inside the prefix', r('docs/m', 'z'), { prefix: 'docs/' }, true],
    ['range ending inside the prefix', r('a', 'docs/b'), { prefix: 'docs/' }, true],
    ['open range', r(), { prefix: 'docs/' }, true],
  ];
  for (const [name, range, wanted, expected] of cases) {
    it(name, () => assert.equal(rangeMayHold(range, wanted), expected));
  }
});
