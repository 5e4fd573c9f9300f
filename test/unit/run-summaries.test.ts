// The one-line summaries the UI shows per page and window, and the details card of CLI starts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { modeOf, startDetailsMarkdown } from '../../src/cli/start-details';
import { parseConfig } from '../../src/config/load';
import { catalogPageSummary, namePageSummary, windowSummary } from '../../src/domain/run-summaries';

const at = (iso: string) => Date.parse(iso);

describe('run summaries', () => {
  const cases: [string, string][] = [
    [namePageSummary(3, { lo: 'a', hi: 'k' }), 'page 3: blobs a…k'],
    [namePageSummary(0, {}), 'page 0: blobs (start)…(end)'],
    [namePageSummary(1, { lo: 'x'.repeat(100) }), `page 1: blobs ${'x'.repeat(39)}~…(end)`],
    [catalogPageSummary(2, 'r1'), 'page 2 of run r1'],
    [
      windowSummary({ index: 2, fromMs: at('2026-11-30T00:00:00Z'), toMs: at('2026-11-30T04:00:00Z') }, 'window'),
      'window 2: 2026-11-30T00:00Z…04:00Z',
    ],
    [
      windowSummary({ index: 5, fromMs: at('2026-11-30T20:00:00Z'), toMs: at('2026-12-01T00:00:00Z') }, 'window'),
      'window 5: 2026-11-30T20:00Z…2026-12-01T00:00Z',
    ],
    [
      windowSummary({ index: 0, fromMs: 0, toMs: at('2026-11-30T20:00:00Z') }, 'all'),
      'all documents as of 2026-11-30T20:00Z',
    ],
    [windowSummary({ index: 7, fromMs: 0, toMs: 0 }, 'outside'), 'documents outside every window (no ObjectId _id)'],
  ];
  for (const [got, expected] of cases) it(expected, () => assert.equal(got, expected));
});

describe('start details', () => {
  it('lists source, target, mode and links, with the UI link when the config has one', () => {
    const config = parseConfig({
      temporal: { address: '127.0.0.1:7233', namespace: 'ns', taskQueue: 'q', uiUrl: 'http://127.0.0.1:8233' },
      connections: { source: { kind: 'blob', connectionString: 'UseDevelopmentStorage=true' } },
    });
    const md = startDetailsMarkdown(
      {
        source: 'source/photos',
        target: 'backup/azbackup',
        mode: modeOf({ incremental: true, verify: 'md5', 'lease mode': false }),
      },
      { config, command: 'backup', workflowId: 'backup-source-photos' },
    );
    assert.equal(
      md,
      [
        '**azbackup backup**',
        '',
        '- **Source:** `source/photos`',
        '- **Target:** `backup/azbackup`',
        '- **Mode:** incremental, verify md5',
        '- **Links:** [this run in the Temporal UI](http://127.0.0.1:8233/namespaces/ns/workflows/backup-source-photos) · ' +
          'watch with `azbackup progress backup-source-photos`',
      ].join('\n'),
    );
  });

  it('falls back when no mode flag is set', () =>
    assert.equal(modeOf({ a: undefined, b: false }, 'as of now'), 'as of now'));
});
