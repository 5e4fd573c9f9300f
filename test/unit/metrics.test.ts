// azbackup's own metrics without a worker: the registry's text format, what each measured activity's
// input and result add (table-driven), the recovery point, the interceptor's promise never to fail an
// activity, the worker.metrics config, and the documented rules naming only metrics that exist.
import type { Context } from '@temporalio/activity';
import type { ActivityExecuteInput } from '@temporalio/worker';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { parseConfig } from '../../src/config/load';
import { emptyCounts } from '../../src/domain/backup-counts';
import { catalogScope, exportScope } from '../../src/domain/catalog-layout';
import { AzbackupMetrics } from '../../src/metrics/azbackup-metrics';
import { metricsInterceptor } from '../../src/metrics/interceptor';
import { Registry } from '../../src/metrics/registry';
import { runtimeOptions } from '../../src/metrics/runtime';
import { parseExposition, valueOf, type ScrapedSample } from '../support/metrics';

const T0 = Date.parse('2026-11-20T02:00:00.000Z');
const samplesOf = (m: AzbackupMetrics, nowMs = T0): ScrapedSample[] => parseExposition(m.registry.render(nowMs));

describe('metrics registry', () => {
  it('renders HELP, TYPE and one line per series, labels sorted and escaped', () => {
    const r = new Registry();
    const c = r.counter('x_total', 'Things.\nTwo lines, one \\ backslash.');
    c.inc({ source: 'a/"b"\\c\nd', outcome: 'copied' }, 2);
    c.inc({ outcome: 'copied', source: 'a/"b"\\c\nd' }, 3);
    c.inc({ source: 'a/a', outcome: 'copied' }, 0);
    r.gauge('y_seconds', 'Age.', (now) => [{ labels: {}, value: (now - T0) / 1000 }]);
    assert.equal(
      r.render(T0 + 1500),
      [
        '# HELP x_total Things.\\nTwo lines, one \\\\ backslash.',
        '# TYPE x_total counter',
        'x_total{outcome="copied",source="a/\\"b\\"\\\\c\\nd"} 5',
        'x_total{outcome="copied",source="a/a"} 0',
        '# HELP y_seconds Age.',
        '# TYPE y_seconds gauge',
        'y_seconds 1.5',
        '',
      ].join('\n'),
    );
    assert.deepEqual(
      parseExposition(r.render(T0)).map((s) => s.labels.source),
      ['a/"b"\\c\nd', 'a/a', undefined],
      'the test parser reads back what was escaped',
    );
  });

  it('refuses a counter going down, a bad name and a name registered twice', () => {
    const r = new Registry();
    const c = r.counter('ok_total', 'ok');
    assert.throws(() => c.inc({}, -1), /cannot add -1/);
    assert.throws(() => c.inc({}, NaN), /cannot add NaN/);
    assert.throws(() => r.counter('bad-name', 'no'), /not a Prometheus metric name/);
    assert.throws(() => r.counter('ok_total', 'again'), /registered twice/);
  });
});

const photos = { source: 'acct/photos' };
const orders = { source: 'cosmosacct/shop/orders' };
const blobCommit = (verified: boolean, startedAt: string, prefix?: string) => [
  'commitRun',
  { source: { connection: 'src', account: 'acct', container: 'photos', prefix }, startedAt },
  { manifest: 'm', report: 'r', verified },
];
const exportCommit = (mode: string, toMs: number) => [
  'commitExport',
  {
    kind: 'cosmos-sql',
    mode,
    toMs,
    source: { connection: 'c', account: 'cosmosacct', database: 'shop', container: 'orders' },
  },
  { manifest: 'm' },
];

type Call = unknown[];
/** Activity calls in, expected series out ([name, labels, value]; undefined: the series does not exist). */
const table: [string, Call[], [string, Record<string, string>, number | undefined][]][] = [
  [
    'backupPage: items and bytes by outcome, verification failures, from the page counts',
    [
      [
        'backupPage',
        { scope: catalogScope('acct', 'photos') },
        {
          ...emptyCounts(),
          copied: 5,
          skipped: 2,
          failed: 1,
          verifyFailed: 1,
          bytesCopied: 500,
          bytesSkipped: 20,
          bytesFailed: 7,
        },
      ],
      [
        'backupPage',
        { scope: catalogScope('acct', 'photos', 'logs/') },
        { ...emptyCounts(), copied: 1, bytesCopied: 50 },
      ],
    ],
    [
      ['azbackup_backup_items_total', { ...photos, outcome: 'copied' }, 6],
      ['azbackup_backup_items_total', { ...photos, outcome: 'skipped' }, 2],
      ['azbackup_backup_items_total', { ...photos, outcome: 'failed' }, 1],
      ['azbackup_backup_bytes_total', { ...photos, outcome: 'copied' }, 550],
      ['azbackup_backup_bytes_total', { ...photos, outcome: 'skipped' }, 20],
      ['azbackup_backup_bytes_total', { ...photos, outcome: 'failed' }, 7],
      ['azbackup_backup_verify_failures_total', photos, 1],
    ],
  ],
  [
    'backupPage counts from a worker without the newer fields still count what they have',
    [['backupPage', { scope: catalogScope('acct', 'photos') }, { copied: 3, skipped: 0, failed: 0, bytesCopied: 30 }]],
    [
      ['azbackup_backup_items_total', { ...photos, outcome: 'copied' }, 3],
      ['azbackup_backup_bytes_total', { ...photos, outcome: 'skipped' }, 0],
      ['azbackup_backup_verify_failures_total', photos, 0],
    ],
  ],
  [
    'commitRun: runs by outcome; only a verified run moves the recovery point, to its start, and never back',
    [
      blobCommit(true, '2026-11-19T02:00:00.000Z'),
      blobCommit(true, '2026-11-18T02:00:00.000Z'), // an older run committed late
      blobCommit(false, '2026-11-20T01:00:00.000Z'),
    ],
    [
      ['azbackup_runs_committed_total', { ...photos, kind: 'blob', outcome: 'verified' }, 2],
      ['azbackup_runs_committed_total', { ...photos, kind: 'blob', outcome: 'unverified' }, 1],
      ['azbackup_last_verified_backup_timestamp_seconds', photos, Date.parse('2026-11-19T02:00:00.000Z') / 1000],
      ['azbackup_seconds_since_last_verified_backup', photos, 24 * 3600],
    ],
  ],
  [
    'a prefix backup has a recovery point of its own, labelled with the prefix',
    [blobCommit(true, '2026-11-20T01:00:00.000Z', 'logs/')],
    [
      ['azbackup_seconds_since_last_verified_backup', { ...photos, prefix: 'logs/' }, 3600],
      ['azbackup_runs_committed_total', { ...photos, prefix: 'logs/', outcome: 'verified' }, 1],
    ],
  ],
  [
    'an unverified run alone leaves no recovery point (the gauge is absent, not zero)',
    [blobCommit(false, '2026-11-20T01:00:00.000Z')],
    [
      ['azbackup_runs_committed_total', { ...photos, outcome: 'unverified' }, 1],
      ['azbackup_runs_committed_total', { ...photos, outcome: 'verified' }, 0],
      ['azbackup_seconds_since_last_verified_backup', photos, undefined],
    ],
  ],
  [
    'exportWindow: documents, plain and stored bytes; commitExport: a run, the recovery point at its `to`',
    [
      [
        'exportWindow',
        { scope: exportScope('cosmos-sql', 'cosmosacct', 'shop', 'orders') },
        { documents: 10, plain: { bytes: 1000 }, stored: { bytes: 300 } },
      ],
      exportCommit('export', T0 - 600_000),
    ],
    [
      ['azbackup_export_documents_total', orders, 10],
      ['azbackup_export_bytes_total', { ...orders, form: 'plain' }, 1000],
      ['azbackup_export_bytes_total', { ...orders, form: 'stored' }, 300],
      ['azbackup_runs_committed_total', { ...orders, kind: 'cosmos-sql', outcome: 'verified' }, 1],
      ['azbackup_seconds_since_last_verified_backup', orders, 600],
    ],
  ],
  [
    'a replica is a committed run but no recovery point (restores do not read replicas)',
    [exportCommit('replica', T0)],
    [
      ['azbackup_runs_committed_total', { ...orders, outcome: 'verified' }, 1],
      ['azbackup_seconds_since_last_verified_backup', orders, undefined],
    ],
  ],
  [
    'restorePage: items and bytes by backed-up source; a dry run counts nothing',
    [
      [
        'restorePage',
        { source: { account: 'acct', container: 'photos' }, dryRun: false },
        { matched: 4, restored: 3, skipped: 1, failed: 0, bytesRestored: 300 },
      ],
      [
        'restorePage',
        { source: { account: 'acct', container: 'photos' }, dryRun: true },
        { matched: 4, restored: 4, skipped: 0, failed: 0, bytesRestored: 400 },
      ],
    ],
    [
      ['azbackup_restore_items_total', { ...photos, outcome: 'restored' }, 3],
      ['azbackup_restore_items_total', { ...photos, outcome: 'skipped' }, 1],
      ['azbackup_restore_bytes_total', photos, 300],
    ],
  ],
];

describe('azbackup metrics from activity results', () => {
  for (const [name, calls, expected] of table) {
    it(name, () => {
      const m = new AzbackupMetrics();
      for (const [type, input, result] of calls) assert.equal(m.observe(type as string, input, result), true);
      const samples = samplesOf(m);
      for (const [metric, labels, value] of expected)
        assert.equal(valueOf(samples, metric, labels), value, `${metric} ${JSON.stringify(labels)}`);
    });
  }

  it('ignores activities it does not measure and scopes it cannot read', () => {
    const m = new AzbackupMetrics();
    assert.equal(m.observe('listInventoryPage', {}, {}), false);
    m.observe('backupPage', { scope: 'not/a/scope' }, { ...emptyCounts(), copied: 1 });
    assert.deepEqual(
      samplesOf(m).filter((s) => s.name.startsWith('azbackup_backup_')),
      [],
    );
  });
});

describe('metrics interceptor', () => {
  const ctx = (activityType: string, warnings: unknown[]) =>
    ({ info: { activityType }, log: { warn: (...args: unknown[]) => warnings.push(args) } }) as unknown as Context;
  const call = (input: unknown): ActivityExecuteInput => ({ args: [input], headers: {} });

  it('passes the result through and records it', async () => {
    const m = new AzbackupMetrics();
    const inbound = metricsInterceptor(m)(ctx('backupPage', [])).inbound!;
    const counts = { ...emptyCounts(), copied: 2 };
    const result = await inbound.execute!(call({ scope: catalogScope('acct', 'photos') }), () =>
      Promise.resolve(counts),
    );
    assert.equal(result, counts);
    assert.equal(m.backupItems.value({ ...photos, outcome: 'copied' }), 2);
  });

  it('rethrows a failed attempt without counting it, and never fails an activity over a result it cannot read', async () => {
    const m = new AzbackupMetrics();
    const warnings: unknown[] = [];
    const failing = metricsInterceptor(m)(ctx('backupPage', warnings)).inbound!;
    const boom = new Error('boom');
    await assert.rejects(
      failing.execute!(call({ scope: catalogScope('acct', 'photos') }), () => Promise.reject(boom)),
      boom,
    );
    assert.equal(samplesOf(m).filter((s) => s.name === 'azbackup_backup_items_total').length, 0);
    const odd = metricsInterceptor(m)(ctx('exportWindow', warnings)).inbound!;
    const weird = { documents: 1 }; // no digests: the observer throws reading them
    const out = await odd.execute!(call({ scope: exportScope('cosmos-sql', 'a', 'd', 'c') }), () =>
      Promise.resolve(weird),
    );
    assert.equal(out, weird);
    assert.equal(warnings.length, 1);
  });
});

describe('worker.metrics config', () => {
  const base = { connections: {} };
  it('is off by default; {} listens on 0.0.0.0:9464 with the runtime exporter on 127.0.0.1:9465', () => {
    assert.equal(parseConfig(base).worker.metrics, undefined);
    const metrics = parseConfig({ ...base, worker: { metrics: {} } }).worker.metrics;
    assert.deepEqual(metrics, { port: 9464, host: '0.0.0.0' });
    assert.deepEqual(runtimeOptions(metrics).telemetryOptions?.metrics, {
      prometheus: { bindAddress: '127.0.0.1:9465' },
    });
    assert.deepEqual(runtimeOptions(undefined), {}, 'no metrics: the runtime as installed by default');
  });

  it('can be switched on from the environment', () => {
    const config = parseConfig(base, { env: { AZBACKUP__worker__metrics__port: '9100' } });
    assert.deepEqual(config.worker.metrics, { port: 9100, host: '0.0.0.0' });
  });

  const bad: [string, unknown, RegExp][] = [
    ['a port out of range', { port: 70000 }, /worker\.metrics\.port: must be a TCP port/],
    [
      'port 65535 without a runtime port',
      { port: 65535 },
      /worker\.metrics\.runtimePort: is required when port is 65535/,
    ],
    ['the runtime on the same port', { port: 9000, runtimePort: 9000 }, /worker\.metrics\.runtimePort: must differ/],
    ['an unknown setting', { path: '/m' }, /worker\.metrics\.path: is not a known setting/],
  ];
  for (const [name, metrics, message] of bad)
    it(`rejects ${name}`, () => assert.throws(() => parseConfig({ ...base, worker: { metrics } }), message));
});

describe('the documented alert rules', () => {
  const docs = join(__dirname, '..', '..', 'docs');
  const families = new Set([...new AzbackupMetrics().registry.render().matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!));
  const named = (text: string) => new Set(text.match(/\bazbackup_[a-z_]+\b/g) ?? []);

  it('are well-formed alerting rules over azbackup metrics that exist', () => {
    const file = parseYaml(readFileSync(join(docs, 'prometheus-rules.yaml'), 'utf8')) as {
      groups: { name: string; rules: Record<string, unknown>[] }[];
    };
    const rules = file.groups.flatMap((g) => g.rules);
    assert.ok(rules.length >= 4);
    for (const rule of rules) {
      assert.equal(typeof rule.alert, 'string');
      assert.equal(typeof rule.expr, 'string', `${String(rule.alert)}: expr`);
      assert.ok((rule.labels as { severity?: string }).severity, `${String(rule.alert)}: severity`);
      assert.ok((rule.annotations as { summary?: string }).summary, `${String(rule.alert)}: summary`);
      for (const name of named(rule.expr as string)) assert.ok(families.has(name), `${String(rule.alert)}: ${name}`);
    }
    const exprs = rules.map((r) => r.expr as string).join('\n');
    assert.match(exprs, /temporal_workflow_failed/, 'a failed run, from the runtime metrics');
    assert.match(exprs, /azbackup_runs_committed_total\{outcome="unverified"\}/, 'a run completed with failures');
    assert.match(exprs, /> 26 \* 3600/, 'no verified backup within a day and a margin');
  });

  it('docs/alerts.md names only metrics that exist, and every azbackup metric', () => {
    const text = readFileSync(join(docs, 'alerts.md'), 'utf8');
    for (const name of named(text)) assert.ok(families.has(name), name);
    for (const name of families) assert.ok(named(text).has(name), `${name} is documented`);
  });
});
