// Windows for incremental exports: [from, to) cut with no gap and no overlap, the range an incremental run
// resolves to (settle delay, catalog, explicit bounds), every bad input as a named problem, and the bounds
// as Cosmos `_ts` seconds. Pure functions, table-driven.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { InputProblem } from '../../src/domain/input-problems';
import {
  cosmosTsBounds,
  DEFAULT_WINDOW_SECONDS,
  MAX_WINDOWS,
  parseIsoTimeMs,
  planWindows,
  resolveRange,
  type ResolveRangeInput,
  type TimeWindow,
  type WindowPlanInput,
} from '../../src/domain/time-windows';

const H = 3600_000;
const t = (iso: string) => Date.parse(iso);
const T0 = t('2026-11-01T00:00:00Z');

/** [from, to) pairs of windows, as ISO, for readable expectations. */
const spans = (windows: TimeWindow[]) =>
  windows.map((w) => [new Date(w.fromMs).toISOString(), new Date(w.toMs).toISOString()]);

function windowsOf(input: WindowPlanInput): TimeWindow[] {
  const plan = planWindows(input);
  assert.ok(plan.ok, `expected windows, got ${JSON.stringify(!plan.ok && plan.problems)}`);
  return plan.windows;
}

function problemsOf(result: { ok: true } | { ok: false; problems: InputProblem[] }): [string, string][] {
  assert.equal(result.ok, false, 'expected problems');
  return (result as { problems: InputProblem[] }).problems.map((p) => [p.field, p.message]);
}

describe('planWindows', () => {
  const table: [string, WindowPlanInput, [string, string][]][] = [
    [
      'a range not divisible by the window: the last window is shorter',
      { fromMs: T0, toMs: T0 + 10 * H, windowSeconds: 4 * 3600 },
      [
        ['2026-11-01T00:00:00.000Z', '2026-11-01T04:00:00.000Z'],
        ['2026-11-01T04:00:00.000Z', '2026-11-01T08:00:00.000Z'],
        ['2026-11-01T08:00:00.000Z', '2026-11-01T10:00:00.000Z'],
      ],
    ],
    [
      'an exact multiple: equal windows, the last ending at to',
      { fromMs: T0, toMs: T0 + 12 * H, windowSeconds: 4 * 3600 },
      [
        ['2026-11-01T00:00:00.000Z', '2026-11-01T04:00:00.000Z'],
        ['2026-11-01T04:00:00.000Z', '2026-11-01T08:00:00.000Z'],
        ['2026-11-01T08:00:00.000Z', '2026-11-01T12:00:00.000Z'],
      ],
    ],
    [
      'a range shorter than one window: a single window',
      { fromMs: T0, toMs: T0 + 90 * 60_000, windowSeconds: DEFAULT_WINDOW_SECONDS },
      [['2026-11-01T00:00:00.000Z', '2026-11-01T01:30:00.000Z']],
    ],
    [
      'a range of exactly one window',
      { fromMs: T0, toMs: T0 + 4 * H, windowSeconds: DEFAULT_WINDOW_SECONDS },
      [['2026-11-01T00:00:00.000Z', '2026-11-01T04:00:00.000Z']],
    ],
    [
      'from the epoch',
      { fromMs: 0, toMs: 2.5 * 86_400_000, windowSeconds: 86_400 },
      [
        ['1970-01-01T00:00:00.000Z', '1970-01-02T00:00:00.000Z'],
        ['1970-01-02T00:00:00.000Z', '1970-01-03T00:00:00.000Z'],
        ['1970-01-03T00:00:00.000Z', '1970-01-03T12:00:00.000Z'],
      ],
    ],
    [
      'bounds inside a second are kept as they are',
      { fromMs: T0 + 250, toMs: T0 + 2_750, windowSeconds: 1 },
      [
        ['2026-11-01T00:00:00.250Z', '2026-11-01T00:00:01.250Z'],
        ['2026-11-01T00:00:01.250Z', '2026-11-01T00:00:02.250Z'],
        ['2026-11-01T00:00:02.250Z', '2026-11-01T00:00:02.750Z'],
      ],
    ],
    ['an empty range (from = to): no windows', { fromMs: T0, toMs: T0, windowSeconds: 3600 }, []],
  ];

  for (const [name, input, expected] of table) {
    it(name, () => {
      const windows = windowsOf(input);
      assert.deepEqual(spans(windows), expected);
      // No gap, no overlap, indices in order, none longer than windowSeconds.
      windows.forEach((w, i) => {
        assert.equal(w.index, i);
        assert.ok(w.fromMs < w.toMs);
        assert.ok(w.toMs - w.fromMs <= (input.windowSeconds as number) * 1000);
        if (i > 0) assert.equal(w.fromMs, windows[i - 1]!.toMs);
      });
      if (windows.length > 0) {
        assert.equal(windows[0]!.fromMs, input.fromMs);
        assert.equal(windows.at(-1)!.toMs, input.toMs);
      }
    });
  }

  const problems: [string, WindowPlanInput, [string, RegExp][]][] = [
    ['from after to', { fromMs: T0 + 1, toMs: T0, windowSeconds: 60 }, [['fromMs', /must not be after toMs/]]],
    ['window 0', { fromMs: T0, toMs: T0 + H, windowSeconds: 0 }, [['windowSeconds', /whole number from 1/]]],
    ['window negative', { fromMs: T0, toMs: T0 + H, windowSeconds: -60 }, [['windowSeconds', /whole number/]]],
    ['window not an integer', { fromMs: T0, toMs: T0 + H, windowSeconds: 1.5 }, [['windowSeconds', /whole/]]],
    ['window as text', { fromMs: T0, toMs: T0 + H, windowSeconds: '3600' }, [['windowSeconds', /whole/]]],
    ['window missing', { fromMs: T0, toMs: T0 + H, windowSeconds: undefined }, [['windowSeconds', /is required/]]],
    [
      'bounds that are no ms times, all reported at once',
      { fromMs: -1, toMs: Number.NaN, windowSeconds: 0 },
      [
        ['fromMs', /whole number of ms since the epoch/],
        ['toMs', /whole number of ms since the epoch/],
        ['windowSeconds', /whole number/],
      ],
    ],
    [
      'more windows than allowed (a day of 1 s windows)',
      { fromMs: T0, toMs: T0 + 24 * H, windowSeconds: 1 },
      [['windowSeconds', /into 86400 windows, more than 10000: choose a larger windowSeconds or a later from/]],
    ],
    [
      'more windows than a given maximum',
      { fromMs: T0, toMs: T0 + 24 * H, windowSeconds: 3600, maxWindows: 23 },
      [['windowSeconds', /into 24 windows, more than 23/]],
    ],
  ];
  for (const [name, input, expected] of problems) {
    it(`reports ${name}`, () => {
      const found = problemsOf(planWindows(input));
      assert.equal(found.length, expected.length, JSON.stringify(found));
      expected.forEach(([field, message], i) => {
        assert.equal(found[i]![0], field);
        assert.match(found[i]![1], message);
      });
    });
  }

  it('allows exactly MAX_WINDOWS windows', () => {
    assert.equal(windowsOf({ fromMs: 0, toMs: MAX_WINDOWS * 1000, windowSeconds: 1 }).length, MAX_WINDOWS);
  });
});

describe('resolveRange', () => {
  const now = t('2026-11-30T12:00:00.750Z');
  const base: ResolveRangeInput = { nowMs: now, settleSeconds: 300 };
  const iso = (ms: number) => new Date(ms).toISOString();

  const table: [string, ResolveRangeInput, [string, string, string, string]][] = [
    [
      'to defaults to now minus the settle delay, on a whole second; from to the epoch',
      base,
      ['1970-01-01T00:00:00.000Z', '2026-11-30T11:55:00.000Z', 'start', 'settled now'],
    ],
    [
      'a settle delay of 0: to is now, rounded down to a second',
      { ...base, settleSeconds: 0 },
      ['1970-01-01T00:00:00.000Z', '2026-11-30T12:00:00.000Z', 'start', 'settled now'],
    ],
    [
      'incremental: from where the catalog last completed window ended',
      { ...base, lastCompletedEndMs: t('2026-11-30T08:00:00Z') },
      ['2026-11-30T08:00:00.000Z', '2026-11-30T11:55:00.000Z', 'catalog', 'settled now'],
    ],
    [
      'with no catalog, from the configured start',
      { ...base, epochStartMs: t('2026-01-01T00:00:00Z') },
      ['2026-01-01T00:00:00.000Z', '2026-11-30T11:55:00.000Z', 'start', 'settled now'],
    ],
    [
      'the catalog wins over the configured start',
      { ...base, epochStartMs: t('2026-01-01T00:00:00Z'), lastCompletedEndMs: t('2026-11-30T08:00:00Z') },
      ['2026-11-30T08:00:00.000Z', '2026-11-30T11:55:00.000Z', 'catalog', 'settled now'],
    ],
    [
      'an explicit from wins over the catalog (re-exporting is safe)',
      { ...base, from: '2026-11-29T00:00:00Z', lastCompletedEndMs: t('2026-11-30T08:00:00Z') },
      ['2026-11-29T00:00:00.000Z', '2026-11-30T11:55:00.000Z', 'from', 'settled now'],
    ],
    [
      'explicit from and to, with an offset and a bare date',
      { ...base, from: '2026-11-29', to: '2026-11-30T06:00:00+01:00' },
      ['2026-11-29T00:00:00.000Z', '2026-11-30T05:00:00.000Z', 'from', 'to'],
    ],
    [
      'nothing settled since the last run: an empty range, not a problem',
      { ...base, lastCompletedEndMs: t('2026-11-30T11:55:00Z') },
      ['2026-11-30T11:55:00.000Z', '2026-11-30T11:55:00.000Z', 'catalog', 'settled now'],
    ],
    [
      'the catalog ends after now minus a longer settle delay: still empty, never reversed',
      { ...base, settleSeconds: 3600, lastCompletedEndMs: t('2026-11-30T11:55:00Z') },
      ['2026-11-30T11:55:00.000Z', '2026-11-30T11:55:00.000Z', 'catalog', 'settled now'],
    ],
  ];
  for (const [name, input, [from, to, fromSource, toSource]] of table) {
    it(name, () => {
      const result = resolveRange(input);
      assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
      const { range } = result;
      assert.deepEqual(
        [iso(range.fromMs), iso(range.toMs), range.fromSource, range.toSource],
        [from, to, fromSource, toSource],
      );
    });
  }

  it('an empty incremental range plans no windows', () => {
    const result = resolveRange({ ...base, lastCompletedEndMs: t('2026-11-30T11:55:00Z') });
    assert.ok(result.ok);
    assert.deepEqual(windowsOf({ ...result.range, windowSeconds: DEFAULT_WINDOW_SECONDS }), []);
  });

  const problems: [string, ResolveRangeInput, [string, RegExp][]][] = [
    [
      'from = to',
      { ...base, from: '2026-11-29T00:00:00Z', to: '2026-11-29T00:00:00Z' },
      [['from', /must be before to/]],
    ],
    [
      'from after to',
      { ...base, from: '2026-11-29T01:00:00Z', to: '2026-11-29T00:00:00Z' },
      [['from', /must be before to \(2026-11-29T00:00:00.000Z\)/]],
    ],
    [
      'an explicit to before the catalog',
      { ...base, to: '2026-11-29T00:00:00Z', lastCompletedEndMs: t('2026-11-30T00:00:00Z') },
      [['to', /must be after from \(2026-11-30T00:00:00.000Z, from the catalog\)/]],
    ],
    [
      'a to inside the settle delay',
      { ...base, to: '2026-11-30T11:58:00Z' },
      [['to', /not be later than now minus the 300 s settle delay \(2026-11-30T11:55:00.000Z\): writes still in/]],
    ],
    ['a to in the future', { ...base, to: '2030-01-01T00:00:00Z' }, [['to', /not be later than now minus/]]],
    ['a time without a zone', { ...base, from: '2026-11-29T00:00:00' }, [['from', /ISO 8601 time with a zone/]]],
    ['a date that does not exist', { ...base, from: '2026-02-30' }, [['from', /ISO 8601/]]],
    ['words', { ...base, from: 'yesterday' }, [['from', /ISO 8601/]]],
    ['a number of ms under an ISO name', { ...base, to: now }, [['to', /ISO 8601/]]],
    ['before the epoch', { ...base, from: '1969-12-31T23:59:59Z' }, [['from', /not be before the Unix epoch/]]],
    ['window 0', { ...base, windowSeconds: 0 }, [['windowSeconds', /whole number from 1/]]],
    ['a negative settle delay', { ...base, settleSeconds: -1 }, [['settleSeconds', /from 0 to 604800/]]],
    [
      'a catalog end and start that are no ms times',
      { ...base, lastCompletedEndMs: 1.5, epochStartMs: -5 },
      [
        ['lastCompletedEndMs', /whole number of ms/],
        ['epochStartMs', /whole number of ms/],
      ],
    ],
    [
      'everything wrong at once, each under its own name',
      { nowMs: now, settleSeconds: 'soon', from: 'monday', to: 'friday', windowSeconds: -1 },
      [
        ['settleSeconds', /whole number of seconds/],
        ['windowSeconds', /whole number/],
        ['from', /ISO 8601/],
        ['to', /ISO 8601/],
      ],
    ],
    [
      'from the epoch to now in 4 h windows: too many',
      { ...base, windowSeconds: DEFAULT_WINDOW_SECONDS },
      [['windowSeconds', /^would cut 1970-01-01T00:00:00.000Z to 2026-11-30T11:55:00.000Z into 124\d{3} windows/]],
    ],
  ];
  for (const [name, input, expected] of problems) {
    it(`reports ${name}`, () => {
      const found = problemsOf(resolveRange(input));
      assert.equal(found.length, expected.length, JSON.stringify(found));
      expected.forEach(([field, message], i) => {
        assert.equal(found[i]![0], field);
        assert.match(found[i]![1], message);
      });
    });
  }

  it('reports the value it got under the field name', () => {
    const result = resolveRange({ ...base, from: '2026-11-29 12:00' });
    assert.ok(!result.ok);
    assert.deepEqual(result.problems[0], {
      field: 'from',
      value: '2026-11-29 12:00',
      message: 'must be an ISO 8601 time with a zone, like 2026-11-30T12:00:00Z',
    });
  });

  it('checks the window count with windowSeconds, and accepts a range that fits', () => {
    const input = { ...base, from: '2026-11-29T00:00:00Z', windowSeconds: DEFAULT_WINDOW_SECONDS };
    const result = resolveRange(input);
    assert.ok(result.ok);
    assert.equal(windowsOf({ ...result.range, windowSeconds: DEFAULT_WINDOW_SECONDS }).length, 9);
  });
});

describe('ISO times', () => {
  const table: [string, number | undefined][] = [
    ['2026-11-30T12:00:00Z', t('2026-11-30T12:00:00Z')],
    ['2026-11-30T12:00Z', t('2026-11-30T12:00:00Z')],
    ['2026-11-30T12:00:00.5Z', t('2026-11-30T12:00:00.500Z')],
    ['2026-11-30T12:00:00.1234567Z', t('2026-11-30T12:00:00.123Z')], // Azure's seven digits, cut to ms
    ['2026-11-30T12:00:00-05:30', t('2026-11-30T17:30:00Z')],
    ['2026-11-30', t('2026-11-30T00:00:00Z')],
    ['2024-02-29', t('2024-02-29T00:00:00Z')],
    ['2026-02-29', undefined],
    ['2026-11-31T00:00:00Z', undefined],
    ['2026-11-30T24:00:00Z', undefined],
    ['2026-11-30T12:60:00Z', undefined],
    ['2026-11-30T12:00:00', undefined],
    ['2026-11-30 12:00:00Z', undefined],
    ['30 Nov 2026', undefined],
    ['', undefined],
  ];
  for (const [text, expected] of table) {
    it(`${JSON.stringify(text)} → ${expected === undefined ? 'refused' : new Date(expected).toISOString()}`, () => {
      assert.equal(parseIsoTimeMs(text), expected);
    });
  }
});

describe('Cosmos _ts bounds', () => {
  it('are whole seconds of whole-second windows', () => {
    assert.deepEqual(cosmosTsBounds({ fromMs: T0, toMs: T0 + 4 * H }), {
      fromTs: T0 / 1000,
      toTs: T0 / 1000 + 4 * 3600,
    });
    assert.deepEqual(cosmosTsBounds({ fromMs: 0, toMs: 1000 }), { fromTs: 0, toTs: 1 });
  });

  it('round bounds inside a second up, so consecutive windows still partition _ts', () => {
    const windows = windowsOf({ fromMs: 1_500, toMs: 9_250, windowSeconds: 2 });
    const bounds = windows.map(cosmosTsBounds);
    assert.deepEqual(bounds, [
      { fromTs: 2, toTs: 4 },
      { fromTs: 4, toTs: 6 },
      { fromTs: 6, toTs: 8 },
      { fromTs: 8, toTs: 10 },
    ]);
    // Every _ts from 2 to 9 falls in exactly one window.
    for (let ts = 2; ts < 10; ts++) {
      assert.equal(bounds.filter((b) => ts >= b.fromTs && ts < b.toTs).length, 1, `_ts ${ts}`);
    }
  });
});

describe('determinism (runs inside workflows)', () => {
  it('gives the same plan for the same input', () => {
    const input = { nowMs: t('2026-11-30T12:00:00Z'), settleSeconds: 60, from: '2026-11-30T00:00:00Z' };
    assert.deepEqual(resolveRange(input), resolveRange(input));
  });

  it('reads no clock, no randomness and no Node module', () => {
    for (const file of ['time-windows.ts', 'objectid-windows.ts']) {
      const source = readFileSync(join(__dirname, '..', '..', 'src', 'domain', file), 'utf8');
      const code = source.replace(/^\s*\/\/.*$/gm, '');
      assert.doesNotMatch(code, /Date\.now|new Date\(\)|Math\.random|crypto|from 'node:|require\(/, file);
      const imports = [...code.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
      assert.ok(
        imports.every((i) => i!.startsWith('./')),
        `${file} imports only domain files: ${imports.join(', ')}`,
      );
    }
  });
});
