// Retention over a synthetic 400-day history of daily runs (restic's forget semantics), which snapshots a
// source snapshot policy prunes (with an injected clock), and point-in-time run resolution: pure
// functions, table-driven.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isProblem, resolveRun, versionToRestore } from '../../src/domain/as-of';
import type { CatalogEntry } from '../../src/domain/catalog-record';
import { applyRetentionPolicy, parseDuration, type RetentionPolicy } from '../../src/domain/retention-policy';
import { snapshotsBeyondPolicy, type SourceSnapshotPolicy } from '../../src/domain/snapshot-policy';

// Daily at 02:00 UTC from 2025-01-01 (a Wednesday) to 2026-02-04: 400 runs, keyed by their date.
const days = Array.from({ length: 400 }, (_, i) => new Date(Date.UTC(2025, 0, 1 + i, 2)).toISOString().slice(0, 10));
const history = days.map((d) => ({ key: d, time: `${d}T02:00:00.000Z` }));

const table: [string, RetentionPolicy, string[]][] = [
  ['keepLast 7', { keepLast: 7 }, days.slice(-7)],
  ['keepDaily 7', { keepDaily: 7 }, days.slice(-7)],
  ['keepHourly 5: daily runs, each in an hour of its own', { keepHourly: 5 }, days.slice(-5)],
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

  it('keepHourly over runs 20 minutes apart: the newest of each hour, and the oldest while hours are left', () => {
    // 09:00 .. 11:40 UTC, nine runs in three hours.
    const runs = Array.from({ length: 9 }, (_, i) => {
      const time = new Date(Date.UTC(2026, 10, 24, 9, i * 20)).toISOString();
      return { key: time.slice(11, 16), time };
    });
    const keep = (policy: RetentionPolicy) => applyRetentionPolicy(runs, policy).keep.map((k) => k.key);
    assert.deepEqual(keep({ keepHourly: 2 }), ['11:40', '10:40']);
    assert.deepEqual(keep({ keepHourly: 5 }), ['11:40', '10:40', '09:40', '09:00']);
    assert.deepEqual(keep({ keepLast: 2, keepHourly: 1 }), ['11:40', '11:20']);
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

describe('source snapshot policy (an injected clock: a snapshot cannot be aged on a real service)', () => {
  const now = Date.parse('2026-11-25T12:00:00Z');
  // Snapshot ids as Azure writes them (seven fractional digits), unsorted; ages 1 h, 23 h, 25 h, 10 days.
  const snaps = [
    '2026-11-24T11:00:00.0000000Z',
    '2026-11-25T11:00:00.0000000Z',
    '2026-11-15T12:00:00.0000000Z',
    '2026-11-24T13:00:00.0000000Z',
  ];
  const [h25, h1, d10, h23] = snaps as [string, string, string, string];
  const table: [string, SourceSnapshotPolicy, [string, string][], string[]][] = [
    [
      'maxAgeDays 1',
      { maxAgeDays: 1 },
      [
        [h25, 'older than maxAgeDays'],
        [d10, 'older than maxAgeDays'],
      ],
      [h1, h23],
    ],
    ['maxAgeDays 10: exactly 10 days old is not older', { maxAgeDays: 10 }, [], [h1, h23, h25, d10]],
    [
      'maxAgeDays 0: every snapshot',
      { maxAgeDays: 0 },
      [h1, h23, h25, d10].map((s) => [s, 'older than maxAgeDays']),
      [],
    ],
    [
      'keepNewest 2',
      { keepNewest: 2 },
      [
        [h25, 'beyond keepNewest'],
        [d10, 'beyond keepNewest'],
      ],
      [h1, h23],
    ],
    [
      'keepNewest 3 and maxAgeDays 1: each reason where it applies first',
      { keepNewest: 3, maxAgeDays: 1 },
      [
        [h25, 'older than maxAgeDays'],
        [d10, 'beyond keepNewest'],
      ],
      [h1, h23],
    ],
  ];
  for (const [name, policy, prune, keep] of table) {
    it(name, () => {
      const verdict = snapshotsBeyondPolicy(snaps, policy, now);
      assert.deepEqual(
        verdict.prune.map((p) => [p.snapshot, p.reason]),
        prune,
      );
      assert.deepEqual(verdict.keep, keep);
    });
  }

  it('ages by the clock it is given', () => {
    const later = now + 2 * 86_400_000;
    assert.deepEqual(snapshotsBeyondPolicy([h1, h23], { maxAgeDays: 1 }, now).prune, []);
    assert.equal(snapshotsBeyondPolicy([h1, h23], { maxAgeDays: 1 }, later).prune.length, 2);
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
