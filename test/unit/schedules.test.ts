// Schedule definitions without I/O: timing lines, the kinds table, every problem named by its field,
// normalisation and what counts as a change, and the config's `schedules:` section.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { ConfigError, parseConfig } from '../../src/config/load';
import type { Config } from '../../src/config/schema';
import {
  describeTiming,
  normalizeSchedule,
  scheduleChanges,
  scheduleProblems,
  type ScheduleDefinition,
} from '../../src/schedules/definition';
import { SCHEDULE_KINDS } from '../../src/schedules/kinds';
import { cronProblem, parseDurationMs, timeZoneProblem } from '../../src/schedules/timing';
import * as workflows from '../../src/workflows';

const blob = { kind: 'blob', connectionString: 'UseDevelopmentStorage=true' } as const;
const config = {
  connections: {
    source: blob,
    backup: blob,
    cosmos: { kind: 'cosmos', endpoint: 'https://localhost:8081', key: 'k' },
    mongo: { kind: 'mongo', connectionString: 'mongodb://localhost:27017' },
  },
} as unknown as Config;
const backupInput = { source: 'source', container: 'photos', backup: 'backup' };
const valid: ScheduleDefinition = { kind: 'backup', every: '6h', input: backupInput };

describe('schedule timing', () => {
  it('reads durations', () => {
    const cases: [string, number | undefined][] = [
      ['6h', 6 * 3600_000],
      ['1h30m', 90 * 60_000],
      ['45s', 45_000],
      ['2d', 2 * 86_400_000],
      ['1d2h3m4s', ((26 * 60 + 3) * 60 + 4) * 1000],
      ['', undefined],
      ['6 h', undefined],
      ['1.5h', undefined],
      ['30m1h', undefined],
      ['PT6H', undefined],
    ];
    for (const [text, ms] of cases) assert.equal(parseDurationMs(text), ms, text);
  });

  it('checks cron lines and time zones', () => {
    for (const ok of ['0 2 * * *', '*/15 * * * *', '0 0 1,15 * MON-FRI', '@daily'])
      assert.equal(cronProblem(ok), undefined, ok);
    for (const bad of ['0 2 * *', '0 2 * * * *', 'every day', 'TZ=UTC 0 2 * * *', '0 2 * * !'])
      assert.ok(cronProblem(bad), bad);
    for (const ok of ['UTC', 'Europe/Berlin', 'America/New_York']) assert.equal(timeZoneProblem(ok), undefined, ok);
    for (const bad of ['Mars/Olympus', '', 'GMT+25']) assert.ok(timeZoneProblem(bad), bad);
  });

  it('describes when a schedule runs', () => {
    assert.equal(describeTiming({ ...valid, jitter: '5m' }), 'every 6h, jitter 5m');
    assert.equal(describeTiming({ kind: 'backup', input: {}, cron: '0 2 * * *' }), 'cron 0 2 * * * (UTC)');
    assert.equal(
      describeTiming({ kind: 'backup', input: {}, at: '02:30', timezone: 'Europe/Berlin' }),
      'daily at 02:30 (Europe/Berlin)',
    );
  });
});

describe('schedule kinds', () => {
  it('every kind starts a workflow the worker registers, and describes its source, target and mode', () => {
    const inputs: Record<string, Record<string, unknown>> = {
      backup: backupInput,
      reconcile: backupInput,
      retention: { backup: 'backup', source: { account: 'source', container: 'photos' }, policy: { keepLast: 3 } },
      drill: { backup: 'backup', source: { account: 'source', container: 'photos' }, sample: { count: 5 } },
      scrub: { backup: 'backup', source: { account: 'source', container: 'photos' } },
      cosmos: { cosmos: 'cosmos', database: 'shop', container: 'orders', backup: 'backup' },
      mongo: { mongo: 'mongo', database: 'shop', collection: 'orders', backup: 'backup' },
    };
    for (const [kind, spec] of Object.entries(SCHEDULE_KINDS)) {
      assert.equal(typeof (workflows as Record<string, unknown>)[spec.workflowType], 'function', kind);
      const input = inputs[kind]!;
      assert.deepEqual(scheduleProblems('s-1', { kind, every: '1h', input }, config), [], kind);
      const details = spec.details(input);
      assert.match(details.source, /photos|orders/, kind);
      assert.match(details.target, /backup|scratch/, kind);
      assert.ok(details.mode.length > 0, kind);
      assert.match(spec.summary(input), /photos|orders/, kind);
    }
  });
});

describe('schedule problems', () => {
  const cases: [string, unknown, string, RegExp][] = [
    ['bad id', valid, 'id', /letters, digits/],
    ['no kind', { every: '1h', input: backupInput }, 'kind', /one of backup, reconcile/],
    ['unknown kind', { ...valid, kind: 'copy' }, 'kind', /one of/],
    ['no timing', { kind: 'backup', input: backupInput }, 'every', /exactly one of every, cron or at/],
    ['two timings', { ...valid, cron: '0 2 * * *' }, 'cron', /exactly one/],
    ['interval too short', { ...valid, every: '30s' }, 'every', /at least 1m/],
    ['interval not a duration', { ...valid, every: 'daily' }, 'every', /a duration like 6h/],
    ['bad cron', { kind: 'backup', cron: '0 2 * *', input: backupInput }, 'cron', /five fields/],
    ['bad at', { kind: 'backup', at: '25:00', input: backupInput }, 'at', /HH:MM/],
    [
      'bad time zone',
      { kind: 'backup', at: '02:00', timezone: 'Mars/Olympus', input: backupInput },
      'timezone',
      /IANA/,
    ],
    ['time zone with an interval', { ...valid, timezone: 'UTC' }, 'timezone', /cron and at only/],
    ['jitter as long as the interval', { ...valid, jitter: '6h' }, 'jitter', /shorter than every/],
    ['jitter not a duration', { ...valid, jitter: 'a bit' }, 'jitter', /duration/],
    ['catch-up window too short', { ...valid, catchupWindow: '5s' }, 'catchupWindow', /at least 10s/],
    ['unknown overlap', { ...valid, overlap: 'allow-all' }, 'overlap', /skip, buffer-one/],
    ['pauseOnFailure not a boolean', { ...valid, pauseOnFailure: 'yes' }, 'pauseOnFailure', /true or false/],
    ['unknown setting', { ...valid, interval: '1h' }, 'interval', /not a schedule setting/],
    ['input missing', { kind: 'backup', every: '1h' }, 'input', /must be an object/],
    ['bad container', { ...valid, input: { ...backupInput, container: 'No_Such' } }, 'input.container', /./],
    [
      'unknown connection',
      { ...valid, input: { ...backupInput, backup: 'nowhere' } },
      'input.backup',
      /not a connection of this config/,
    ],
    [
      'wrong connection kind',
      { ...valid, input: { ...backupInput, source: 'cosmos' } },
      'input.source',
      /cosmos connection; this needs a blob/,
    ],
    [
      'mode in a reconcile',
      { ...valid, kind: 'reconcile', input: { ...backupInput, mode: 'full' } },
      'input.mode',
      /not an input of a reconcile/,
    ],
    [
      'empty retention policy',
      {
        kind: 'retention',
        every: '1d',
        input: { backup: 'backup', source: { account: 'source', container: 'photos' }, policy: {} },
      },
      'input.policy',
      /./,
    ],
    [
      'cosmos from',
      {
        kind: 'cosmos',
        every: '1h',
        input: { cosmos: 'cosmos', database: 'd', container: 'c', from: '2026-01-01T00:00:00Z' },
      },
      'from',
      /not allowed in a schedule/,
    ],
  ];
  for (const [name, definition, field, message] of cases)
    it(`${name}: ${field}`, () => {
      const problems = scheduleProblems(name === 'bad id' ? 'no spaces allowed' : 'ok-id', definition, config);
      const p = problems.find((x) => x.field === field || x.field === `input.${field}`);
      assert.ok(p, `expected a problem on ${field}, got ${JSON.stringify(problems)}`);
      assert.match(p.message, message);
    });
});

describe('normalised schedules and changes', () => {
  it('fills defaults and compares field by field', () => {
    const a = normalizeSchedule(valid);
    assert.equal(a.overlap, 'skip');
    assert.equal(a.pauseOnFailure, true);
    assert.equal(a.catchupWindow, '1m');
    assert.deepEqual(scheduleChanges(a, normalizeSchedule({ ...valid, overlap: 'skip', note: undefined })), []);
    const b = normalizeSchedule({ ...valid, every: '12h', input: { ...backupInput, container: 'videos' }, note: 'n' });
    assert.deepEqual(scheduleChanges(a, b), ['input.container', 'every', 'note']);
  });
});

describe("the config's schedules section", () => {
  const base = { connections: config.connections };
  it('accepts declared schedules', () => {
    const parsed = parseConfig({ ...base, schedules: { 'photos-6h': valid } });
    assert.deepEqual(parsed.schedules?.['photos-6h'], valid);
    assert.equal(parseConfig(base).schedules, undefined);
  });

  it('names the field of a bad declaration, also when another part is broken, and never prints a pasted key', () => {
    const key = 'c2VjcmV0LWtleS1tYXRlcmlhbC10aGF0LXNob3VsZC1uZXZlci1iZS1wcmludGVk';
    const raw = {
      ...base,
      temporal: { address: 'no-port' },
      schedules: {
        a: { ...valid, input: { ...backupInput, container: 'Bad_Name' } },
        b: {
          kind: 'cosmos',
          every: '1h',
          input: { cosmos: 'cosmos', database: 'd', container: 'c', encryptionKey: key },
        },
      },
    };
    assert.throws(
      () => parseConfig(raw),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.match(err.message, /temporal\.address/);
        assert.match(err.message, /schedules\.a\.input\.container/);
        assert.match(err.message, /schedules\.b\.input\.encryptionKey.*<secret, \d+ characters>/);
        assert.doesNotMatch(err.message, new RegExp(key.slice(0, 16)));
        return true;
      },
    );
  });
});

describe("the README's schedules", () => {
  it('the declared schedules in the README are a valid config section', () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    const block = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)]
      .map((m) => m[1]!)
      .find((b) => b.startsWith('schedules:'));
    assert.ok(block, 'no yaml block starting with schedules: in README.md');
    const parsed = parseConfig({ connections: config.connections, ...(parseYaml(block) as object) });
    assert.deepEqual(Object.keys(parsed.schedules ?? {}), ['photos-6h', 'photos-drill']);
    assert.equal(parsed.schedules?.['photos-drill']?.at, '04:00');
  });
});
