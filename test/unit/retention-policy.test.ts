// Retention over a synthetic 400-day history of daily runs (restic's forget semantics), and point-in-time
// run resolution: pure functions, table-driven.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isProblem, resolveRun, versionToRestore } from '../../src/domain/as-of';
import type { CatalogEntry } from '../../src/domain/catalog-record';
import { applyRetentionPolicy, parseDuration, type RetentionPolicy } from '../../src/domain/retention-policy';

// Daily at 02:00 UTC from 2025-01-01 (a Wednesday) to 2026-02-04: 400 runs, keyed by their date.
const days = Array.from({ length: 400 }, (_, i) => new Date(Date.UTC(2025, 0, 1 + i, 2)).toISOString().slice(0, 10));
const history = days.map((d) => ({ key: d, time: `${d}T02:00:00.000Z` }));

const table: [string, RetentionPolicy, string[]][] = [
  ['keepLast 7', { keepLast: 7 }, days.slice(-7)],
  ['keepDaily 7', { keepDaily: 7 }, days.slice(-7)],
  ['keepDaily 500 keeps all (and the oldest)', { keepDaily: 500 }, days],
  [
    'keepMonthly 12: the last run of each of the 12 newest months',
    { keepMonthly: 12 },
    [
      '2025-03-31',
      '2025-04-30',
      '2025-05-31',
      '2025-06-30',
      '2025-07-31',
      '2025-08-31',
      '2025-09-30',
      '2025-10-31',
      '2025-11-30',
      '2025-12-31',
      '2026-01-31',
      '2026-02-04',
    ],
  ],
  [
    'keepMonthly 24: all 14 months, plus the oldest run while buckets are left',
    { keepMonthly: 24 },
    [
      '2025-01-01',
      '2025-01-31',
      '2025-02-28',
      '2025-03-31',
      '2025-04-30',
      '2025-05-31',
      '2025-06-30',
      '2025-07-31',
      '2025-08-31',
      '2025-09-30',
      '2025-10-31',
      '2025-11-30',
      '2025-12-31',
      '2026-01-31',
      '2026-02-04',
    ],
  ],
  ['keepYearly 5', { keepYearly: 5 }, ['2025-01-01', '2025-12-31', '2026-02-04']],
  [
    'keepWeekly 7: ISO weeks, across the new year (2026-W01 starts on 2025-12-29)',
    { keepWeekly: 7 },
    ['2025-12-28', '2026-01-04', '2026-01-11', '2026-01-18', '2026-01-25', '2026-02-01', '2026-02-04'],
  ],
  ['keepWithin 10d of the newest run', { keepWithin: '10d' }, days.slice(-10)],
  [
    'keepLast 3 + keepDaily 7 + keepWeekly 4 + keepMonthly 6',
    { keepLast: 3, keepDaily: 7, keepWeekly: 4, keepMonthly: 6 },
    ['2025-09-30', '2025-10-31', '2025-11-30', '2025-12-31', '2026-01-18', '2026-01-25', ...days.slice(-7)],
  ],
];

describe('retention policy over 400 daily runs', () => {
  for (const [name, policy, expected] of table) {
    it(name, () => {
      const decision = applyRetentionPolicy(history, policy);
      assert.deepEqual(decision.keep.map((k) => k.key).sort(), [...expected].sort());
      assert.equal(decision.keep.length + decision.remove.length, history.length);
      assert.ok(decision.remove.every((k) => !expected.includes(k)));
    });
  }

  it('gives every kept run its reasons', () => {
    const decision = applyRetentionPolicy(history, { keepLast: 1, keepDaily: 2, keepMonthly: 2 });
    assert.deepEqual(decision.keep, [
      { key: '2026-02-04', reasons: ['last', 'daily', 'monthly'] },
      { key: '2026-02-03', reasons: ['daily'] },
      { key: '2026-01-31', reasons: ['monthly'] },
    ]);
  });

  it('keeps everything under an empty policy', () => {
    assert.equal(applyRetentionPolicy(history, {}).remove.length, 0);
  });

  it('parses keepWithin durations and rejects others', () => {
    assert.deepEqual(parseDuration('1y2m3d4h'), { years: 1, months: 2, days: 3, hours: 4 });
    assert.deepEqual(parseDuration('36h'), { years: 0, months: 0, days: 0, hours: 36 });
    assert.throws(() => parseDuration('2 weeks'), /must be a duration like 30d, 12h or 1y6m \(got "2 weeks"\)/);
    assert.throws(() => parseDuration(''), /must be a duration/);
  });
});

describe('point-in-time run resolution', () => {
  const runs = [
    { runKey: '20260101T000000000Z-a', startedAt: '2026-01-01T00:00:00.000Z', verified: true },
    { runKey: '20260102T000000000Z-b', startedAt: '2026-01-02T00:00:00.000Z', verified: true },
    { runKey: '20260103T000000000Z-c', startedAt: '2026-01-03T00:00:00.000Z', verified: false },
  ];
  const table: [string, Parameters<typeof resolveRun>[1], string][] = [
    ['no selector: the newest verified run', {}, '20260102T000000000Z-b'],
    ['asOf exactly a run start', { asOf: '2026-01-02T00:00:00.000Z' }, '20260102T000000000Z-b'],
    ['asOf between runs', { asOf: '2026-01-02T12:00:00Z' }, '20260102T000000000Z-b'],
    ['asOf after the last run', { asOf: '2027-01-01T00:00:00Z' }, '20260103T000000000Z-c'],
    ['a run by key', { run: '20260101T000000000Z-a' }, '20260101T000000000Z-a'],
  ];
  for (const [name, selector, expected] of table) {
    it(name, () => {
      const run = resolveRun(runs, selector);
      assert.ok(!isProblem(run), JSON.stringify(run));
      assert.equal(run.runKey, expected);
    });
  }

  const bad: [string, Parameters<typeof resolveRun>[1], string, RegExp][] = [
    ['asOf before the first run', { asOf: '2025-12-31T00:00:00Z' }, 'asOf', /is before the first backup run/],
    ['asOf not a time', { asOf: 'yesterday' }, 'asOf', /must be an ISO 8601 time/],
    ['an unknown run', { run: 'nope' }, 'run', /is not a committed run of this source \(runs go from 2026-01-01/],
  ];
  for (const [name, selector, field, message] of bad) {
    it(`rejects ${name}`, () => {
      const problem = resolveRun(runs, selector);
      assert.ok(isProblem(problem));
      assert.equal(problem.field, field);
      assert.match(problem.message, message);
    });
  }

  it('restores a deleted item only when asked, as its last version', () => {
    const last = { name: 'a', etag: 'e', copy: 'c' } as CatalogEntry;
    const tomb = { name: 'a', deleted: true as const, deletedAt: '2026-01-03T00:00:00Z', last };
    assert.equal(versionToRestore(tomb, false), undefined);
    assert.equal(versionToRestore(tomb, true), last);
    assert.equal(versionToRestore(last, false), last);
  });
});
