// NDJSON encoding and streaming decoding: records survive any split of the byte stream (mid-line,
// mid-character), and a stream cut inside its last line is truncation, never a shorter export.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IntegrityError } from '../../src/pipeline/errors';
import { decodeNdjson, encodeNdjson } from '../../src/pipeline/ndjson';

async function toArray<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

async function* split(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

const records = [
  { id: '1', text: 'plain' },
  { id: '2', text: 'naïve café – 日本語 🚀', nested: { list: [1, 2, 3], nothing: null } },
  { id: '3', text: 'a "quoted"\nnewline inside a string' },
  42,
  'a string record',
  [true, false],
];

describe('NDJSON', () => {
  it('writes one JSON document per line, each ending in a newline', async () => {
    const bytes = Buffer.concat(await toArray(encodeNdjson(records)));
    const lines = bytes.toString('utf8').split('\n');
    assert.equal(lines.pop(), '', 'the last line ends with a newline');
    assert.deepEqual(
      lines.map((l) => JSON.parse(l) as unknown),
      records,
    );
  });

  it('gathers lines into chunks of about batchBytes', async () => {
    const many = Array.from({ length: 1000 }, (_, i) => ({ i, pad: 'x'.repeat(90) }));
    const chunks = await toArray(encodeNdjson(many, { batchBytes: 10_000 }));
    assert.ok(chunks.length >= 10 && chunks.length <= 12, `${chunks.length} chunks`);
    for (const chunk of chunks) {
      assert.equal(chunk.at(-1), 0x0a, 'chunks end at a line end');
      assert.ok(chunk.length <= 10_000, `a chunk of ${chunk.length} bytes`);
    }
  });

  it('writes a line longer than batchBytes as a chunk of its own, and multi-byte text whole', async () => {
    const records = [{ a: 'é'.repeat(30) }, { long: '€'.repeat(400) }, { b: '😀'.repeat(20) }, { c: 'x'.repeat(50) }];
    const chunks = await toArray(encodeNdjson(records, { batchBytes: 200 }));
    const text = Buffer.concat(chunks).toString('utf8');
    assert.deepEqual(
      text
        .split('\n')
        .slice(0, -1)
        .map((l) => JSON.parse(l) as unknown),
      records,
    );
    const long = chunks.find((c) => c.length > 200);
    assert.equal(long?.toString('utf8'), `${JSON.stringify(records[1])}\n`, 'the long line alone');
    for (const chunk of chunks) assert.equal(chunk.at(-1), 0x0a);
  });

  it('tells onRecord each record and the count so far', async () => {
    const seen: [number, unknown][] = [];
    await toArray(encodeNdjson(records, { onRecord: (n, r) => seen.push([n, r]) }));
    assert.deepEqual(
      seen,
      records.map((r, i) => [i + 1, r]),
    );
  });

  it('writes nothing for no records', async () => {
    assert.deepEqual(await toArray(encodeNdjson([])), []);
  });

  it('rejects a record JSON cannot represent, naming its index', async () => {
    await assert.rejects(toArray(encodeNdjson([{ a: 1 }, undefined])), /record 1 \(undefined\)/);
  });

  const splits = [1, 2, 3, 7, 64, 100_000];
  for (const size of splits) {
    it(`decodes the same records from the stream split every ${size} bytes (inside lines and characters)`, async () => {
      const bytes = Buffer.concat(await toArray(encodeNdjson(records)));
      assert.deepEqual(await toArray(decodeNdjson(split(bytes, size))), records);
    });
  }

  it('decodes from an async iterable of strings', async () => {
    async function* text() {
      yield '{"a":1}\n{"a"';
      yield ':2}\n';
    }
    assert.deepEqual(await toArray(decodeNdjson(text())), [{ a: 1 }, { a: 2 }]);
  });

  const truncations: [string, string][] = [
    ['cut inside the last line', '{"a":1}\n{"a":'],
    ['last line complete JSON but without its newline', '{"a":1}\n{"a":2}'],
    ['a single line without its newline', '{"a":1}'],
  ];
  for (const [name, text] of truncations) {
    it(`${name}: rejects as truncated after yielding the complete lines`, async () => {
      const seen: unknown[] = [];
      await assert.rejects(
        (async () => {
          for await (const record of decodeNdjson(split(Buffer.from(text), 3))) seen.push(record);
        })(),
        (err: unknown) =>
          err instanceof IntegrityError && err.problem === 'truncated' && /has no final newline/.test(err.message),
      );
      assert.deepEqual(seen, text.startsWith('{"a":1}\n') ? [{ a: 1 }] : []);
    });
  }

  it('rejects a line that is not JSON, naming the line', async () => {
    await assert.rejects(
      toArray(decodeNdjson(split(Buffer.from('{"a":1}\n{"a":\n'), 4))),
      (err: unknown) =>
        err instanceof IntegrityError &&
        err.problem === 'malformed-record' &&
        /^NDJSON line 2 is not JSON/.test(err.message),
    );
  });

  it('rejects a line longer than maxLineBytes before holding all of it', async () => {
    let fed = 0;
    async function* endless() {
      for (;;) {
        fed += 1000;
        yield Buffer.alloc(1000, 0x61);
      }
    }
    await assert.rejects(
      toArray(decodeNdjson(endless(), { maxLineBytes: 10_000 })),
      (err: unknown) =>
        err instanceof IntegrityError &&
        err.problem === 'malformed-record' &&
        /line 1 is longer than 10000 bytes/.test(err.message),
    );
    assert.ok(fed <= 11_000, `read ${fed} bytes`);
  });
});
