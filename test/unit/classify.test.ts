// classifyPage: one merge of a listing page with the previous run's records for the same name range.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CatalogEntry, CatalogRecord, Tombstone } from '../../src/domain/catalog-record';
import { classifyPage, type ClassifyOptions, type ListedBlob } from '../../src/domain/classify';

const blob = (name: string, etag = 'e1', size = 1, lastModified = '2026-01-01T00:00:00.000Z'): ListedBlob => ({
  name,
  etag,
  size,
  lastModified,
});
const entry = (name: string, extra: Partial<CatalogEntry> = {}): CatalogEntry => ({
  ...blob(name),
  copy: `data/a/c/${name}/@e1`,
  verified: true,
  snapshot: '2026-01-01T00:00:00.0000000Z',
  backedUpAt: '2026-01-01T00:00:00.000Z',
  ...extra,
});
const tombstone = (name: string): Tombstone => ({
  name,
  deleted: true,
  deletedAt: '2026-01-02T00:00:00.000Z',
  last: entry(name),
});

/** The page as letters: new N, modified M, unchanged U; deleted and carried tombstones by name. */
function shape(listed: ListedBlob[], previous: CatalogRecord[], options?: ClassifyOptions) {
  const page = classifyPage(listed, previous, options);
  return {
    items: page.items.map((c) => `${c.kind[0]!.toUpperCase()}:${c.blob.name}`),
    deleted: page.deleted.map((e) => e.name),
    carried: page.carriedTombstones.map((t) => t.name),
  };
}

describe('classifyPage', () => {
  const cases: [string, ListedBlob[], CatalogRecord[], ClassifyOptions, ReturnType<typeof shape>][] = [
    ['empty page, no history', [], [], {}, { items: [], deleted: [], carried: [] }],
    ['first run: all new', [blob('a'), blob('b')], [], {}, { items: ['N:a', 'N:b'], deleted: [], carried: [] }],
    ['unchanged', [blob('a')], [entry('a')], {}, { items: ['U:a'], deleted: [], carried: [] }],
    ['new ETag: modified', [blob('a', 'e2')], [entry('a')], {}, { items: ['M:a'], deleted: [], carried: [] }],
    ['new size: modified', [blob('a', 'e1', 2)], [entry('a')], {}, { items: ['M:a'], deleted: [], carried: [] }],
    [
      'new Last-Modified: modified',
      [blob('a', 'e1', 1, '2026-02-01T00:00:00.000Z')],
      [entry('a')],
      {},
      { items: ['M:a'], deleted: [], carried: [] },
    ],
    ['gone since: deleted', [], [entry('a')], {}, { items: [], deleted: ['a'], carried: [] }],
    ['still gone: tombstone carried', [], [tombstone('a')], {}, { items: [], deleted: [], carried: ['a'] }],
    ['back after a deletion: new', [blob('a')], [tombstone('a')], {}, { items: ['N:a'], deleted: [], carried: [] }],
    [
      'interleaved merge keeps name order',
      [blob('a'), blob('c', 'e2'), blob('e')],
      [entry('b'), entry('c'), tombstone('d'), entry('e')],
      {},
      { items: ['N:a', 'M:c', 'U:e'], deleted: ['b'], carried: ['d'] },
    ],
    [
      'full mode: unchanged is redone',
      [blob('a')],
      [entry('a')],
      { full: true },
      { items: ['M:a'], deleted: [], carried: [] },
    ],
    [
      'a verifying run redoes an unverified record',
      [blob('a')],
      [entry('a', { verified: false })],
      { requireVerified: true },
      { items: ['M:a'], deleted: [], carried: [] },
    ],
    [
      'a run that does not verify keeps it',
      [blob('a')],
      [entry('a', { verified: false })],
      {},
      { items: ['U:a'], deleted: [], carried: [] },
    ],
    [
      'reconcile redoes a record without a snapshot when snapshots are required',
      [blob('a')],
      [entry('a', { snapshot: undefined })],
      { redoUnverified: true, requireSnapshot: true },
      { items: ['M:a'], deleted: [], carried: [] },
    ],
    [
      'reconcile without snapshots keeps it',
      [blob('a')],
      [entry('a', { snapshot: undefined })],
      { redoUnverified: true },
      { items: ['U:a'], deleted: [], carried: [] },
    ],
    [
      'names compare by UTF-16 code units, as the service lists them',
      [blob('B'), blob('a'), blob('é')],
      [entry('B'), entry('é')],
      {},
      { items: ['U:B', 'N:a', 'U:é'], deleted: [], carried: [] },
    ],
  ];
  for (const [name, listed, previous, options, expected] of cases) {
    it(name, () => assert.deepEqual(shape(listed, previous, options), expected));
  }

  it('hands the previous entry to modified and unchanged items', () => {
    const previous = entry('a');
    const page = classifyPage([blob('a', 'e2')], [previous]);
    const item = page.items[0]!;
    assert.equal(item.kind, 'modified');
    assert.equal('previous' in item && item.previous, previous);
  });
});
