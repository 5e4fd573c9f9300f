// Pure domain rules: Azure naming, backup object names, workflow input validation.
import { partitionOf } from '../../src/domain/hash-partition';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backupContainerInputProblems } from '../../src/domain/backup-input';
import { backupObjectName } from '../../src/domain/backup-naming';
import { containerNameProblem } from '../../src/domain/blob-names';

describe('container names', () => {
  const table: [string, string | undefined][] = [
    ['photos', undefined],
    ['a1-b2', undefined],
    ['$root', undefined],
    ['ab', 'must be 3 to 63 characters long (has 2)'],
    ['x'.repeat(64), 'must be 3 to 63 characters long (has 64)'],
    ['Photos', 'may contain only lowercase letters, digits and dashes'],
    ['my_photos', 'may contain only lowercase letters, digits and dashes'],
    ['-photos', 'must start with a letter or digit and not end with a dash'],
    ['photos-', 'must start with a letter or digit and not end with a dash'],
    ['pho--tos', 'must not contain two dashes in a row'],
  ];
  for (const [name, expected] of table) {
    it(`${JSON.stringify(name)} -> ${expected ?? 'valid'}`, () => assert.equal(containerNameProblem(name), expected));
  }
});

describe('backup object names', () => {
  it('are deterministic per (account, container, blob, version) and strip ETag quotes', () => {
    const a = backupObjectName({ account: 'src', container: 'c', blobName: 'a/b.txt', version: '"0x8D1"' });
    assert.equal(a, 'data/src/c/a/b.txt/@0x8D1');
    assert.equal(backupObjectName({ account: 'src', container: 'c', blobName: 'a/b.txt', version: '0x8D1' }), a);
    assert.notEqual(backupObjectName({ account: 'src', container: 'c', blobName: 'a/b.txt', version: '0x8D2' }), a);
  });

  it('stay within 1,024 characters for the longest blob names, distinct per name', () => {
    const long = (c: string) => `${'d/'.repeat(410)}${c.repeat(200)}`; // 1,020 characters
    const a = backupObjectName({ account: 'src', container: 'c', blobName: long('x'), version: '0x1' });
    const b = backupObjectName({ account: 'src', container: 'c', blobName: long('y'), version: '0x1' });
    assert.match(a, /^data\/src\/c\/~hashed\/[0-9a-f]{32}\/@0x1$/);
    assert.notEqual(a, b);
    assert.ok(a.length <= 1024);
  });
});

describe('backupContainer input', () => {
  const valid = { source: 'source', container: 'photos', backup: 'backup' };
  it('accepts a valid input', () => assert.deepEqual(backupContainerInputProblems(valid), []));
  it('names each bad field', () => {
    const problems = backupContainerInputProblems({
      ...valid,
      source: '',
      container: 'A',
      concurrency: -1,
      pageSize: 6000,
    });
    assert.deepEqual(
      problems.map((p) => p.field),
      ['source', 'container', 'concurrency', 'pageSize'],
    );
  });
});

describe('hash partitions', () => {
  it('puts every name in exactly one partition, stably, and spreads them', () => {
    const names = Array.from({ length: 10_000 }, (_, i) => `data/source/photos/2026/11/item-${i}.json/0x8DC${i}`);
    const sizes = new Array<number>(8).fill(0);
    for (const n of names) {
      const p = partitionOf(n, 8);
      assert.equal(partitionOf(n, 8), p);
      assert.ok(p >= 0 && p < 8);
      sizes[p]!++;
    }
    assert.ok(Math.min(...sizes) > 1_000 && Math.max(...sizes) < 1_500, `sizes ${sizes.join(', ')}`);
    assert.equal(partitionOf('anything', 1), 0);
  });
});
