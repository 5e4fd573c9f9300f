// The whole chain as a backup and a restore use it: records → NDJSON → meter → gzip → AES-256-GCM →
// meter → sink, and back through the filters rebuilt from their catalog descriptions with verifying
// meters. Also: errors and aborts reach every stage, and the meters catch a stored object that differs.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { aesGcmFilter } from '../../src/pipeline/aes-gcm';
import { openChain, runChain, type Sink } from '../../src/pipeline/chain';
import { DiscardSink } from '../../src/pipeline/discard-sink';
import { EncryptionKey } from '../../src/pipeline/encryption-key';
import {
  IntegrityError,
  KeyConfigError,
  NON_RETRYABLE_PIPELINE_ERRORS,
  WrongKeyError,
} from '../../src/pipeline/errors';
import { describeFilters, forwardStages, reverseStages, type Filter } from '../../src/pipeline/filter';
import { filtersFromCatalog } from '../../src/pipeline/filters-from-catalog';
import { gzipFilter } from '../../src/pipeline/gzip';
import type { KeyResolver } from '../../src/pipeline/key-ring';
import { HashMeter, VerifyingMeter, type Digest } from '../../src/pipeline/meter';
import { decodeNdjson, encodeNdjson } from '../../src/pipeline/ndjson';

const key = new EncryptionKey('k1', randomBytes(32));
const keys: KeyResolver = {
  resolve: async (name) => {
    if (name !== key.id) throw new KeyConfigError(name, `unknown encryption key name ${name}; configured: k1`);
    return key;
  },
};
const filters = [gzipFilter(), aesGcmFilter(key)];

/** Keeps what it is given; stands in for a blob or a file. */
class MemorySink implements Sink<Buffer> {
  async write(source: AsyncIterable<Buffer>): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const part of source) parts.push(part);
    return Buffer.concat(parts);
  }
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

interface Backup {
  stored: Buffer;
  plain: Digest;
  storedDigest: Digest;
  descriptions: unknown[];
}

async function backup(source: AsyncIterable<Buffer> | Readable, chain: Filter[] = filters): Promise<Backup> {
  const plainMeter = new HashMeter();
  const storedMeter = new HashMeter();
  const stored = await runChain(source, [plainMeter, ...forwardStages(chain), storedMeter], new MemorySink());
  return {
    stored,
    plain: plainMeter.digest(),
    storedDigest: storedMeter.digest(),
    descriptions: describeFilters(chain),
  };
}

/** The restore side: filters rebuilt from the recorded descriptions, digests checked at both ends. */
async function restore(b: Backup, stored = b.stored): Promise<Buffer> {
  const rebuilt = await filtersFromCatalog(b.descriptions, { keys });
  const stages = [
    new VerifyingMeter(b.storedDigest, 'stored bytes'),
    ...reverseStages(rebuilt),
    new VerifyingMeter(b.plain, 'plaintext'),
  ];
  return runChain(Readable.from([stored]), stages, new MemorySink());
}

function documents(count: number, start = 0) {
  return Array.from({ length: count }, (_, i) => ({
    id: `doc-${start + i}`,
    _ts: 1_700_000_000 + start + i,
    name: `customer ${(start + i) % 977}`,
    tags: ['a', 'b', String((start + i) % 13)],
    note: randomBytes(24).toString('base64'),
  }));
}

describe('backup chain round trips (NDJSON → gzip → AES-256-GCM and back)', () => {
  const cases: [string, unknown[]][] = [
    ['no records', []],
    ['one record', [1]],
    ['a few hundred records', documents(300)],
    ['several MiB of records', documents(40_000)],
  ];
  for (const [name, records] of cases) {
    it(`${name}: decodes to the same records, with matching digests`, async () => {
      const b = await backup(Readable.from(encodeNdjson(records)));
      const ndjson = Buffer.concat(await fromAsync(encodeNdjson(records)));
      assert.deepEqual(b.plain, { bytes: ndjson.length, sha256: sha256(ndjson) });
      assert.deepEqual(b.storedDigest, { bytes: b.stored.length, sha256: sha256(b.stored) });
      assert.deepEqual(b.stored.subarray(0, 8), Buffer.from('AZBKENC1'));
      const back = await fromAsync(decodeNdjson(Readable.from([await restore(b)])));
      assert.deepEqual(back, records);
    });
  }

  const byteSizes: [string, number][] = [
    ['empty input', 0],
    ['one byte', 1],
    ['several MiB', 5 * 1024 * 1024 + 3],
  ];
  for (const [name, size] of byteSizes) {
    it(`${name} (${size} bytes of raw input): restores the same bytes`, async () => {
      const input = semiCompressible(size);
      const b = await backup(Readable.from(chunked(input, 10_000)));
      assert.equal(b.plain.bytes, size);
      assert.ok((await restore(b)).equals(input));
    });
  }

  it('gzip output of exactly a whole number of encryption chunks: decodes to the same records', async () => {
    const records = documents(500);
    const gzipped = await runChain(encodeNdjson(records), [gzipFilter().forward()], new MemorySink());
    // gzip is deterministic, so the encryptor will see exactly these bytes: pick a chunk size dividing them.
    const chunkBytes = [2, 3, 4, 5, 6, 7, 8, 1].map((n) => gzipped.length / n).find(Number.isInteger)!;
    const chunks = gzipped.length / chunkBytes;
    const b = await backup(Readable.from(encodeNdjson(records)), [gzipFilter(), aesGcmFilter(key, { chunkBytes })]);
    const headerBytes = 8 + 1 + 1 + 2 + 4 + 16 + 7;
    assert.equal(
      b.stored.length,
      headerBytes + gzipped.length + chunks * 16 + 16,
      'whole chunks, then an empty final one',
    );
    assert.deepEqual(await fromAsync(decodeNdjson(Readable.from([await restore(b)]))), records);
  });

  it('streams records back through openChain and decodeNdjson, with the digests checked', async () => {
    const records = documents(2000);
    const b = await backup(Readable.from(encodeNdjson(records)));
    const rebuilt = await filtersFromCatalog(b.descriptions, { keys });
    const out = openChain(Readable.from([b.stored]), [
      new VerifyingMeter(b.storedDigest),
      ...reverseStages(rebuilt),
      new VerifyingMeter(b.plain),
    ]);
    assert.deepEqual(await fromAsync(decodeNdjson(out)), records);
  });

  it('records the filters for the catalog by kind, with no key material', () => {
    assert.deepEqual(describeFilters(filters), [
      { kind: 'gzip', level: 1 },
      { kind: 'aes-256-gcm', keyId: 'k1', format: 1 },
    ]);
    assert.ok(!JSON.stringify(describeFilters(filters)).includes(key.key.toString('base64')));
  });
});

describe('verifying meters', () => {
  it('pass a stored object that matches, and report its digest', async () => {
    const b = await backup(Readable.from([Buffer.from('{"a":1}\n')]));
    const meter = new VerifyingMeter(b.storedDigest);
    await runChain(Readable.from([b.stored]), [meter], new DiscardSink());
    assert.deepEqual(meter.digest(), b.storedDigest);
  });

  const mismatches: [string, (d: Digest) => Digest, RegExp][] = [
    [
      'fewer bytes than recorded',
      (d) => ({ ...d, bytes: d.bytes + 1 }),
      /stored bytes does not match the catalog: \d+ bytes, expected \d+/,
    ],
    [
      'more bytes than recorded',
      (d) => ({ ...d, bytes: d.bytes - 1 }),
      /stored bytes does not match the catalog: more than the expected \d+ bytes/,
    ],
    [
      'another SHA-256',
      (d) => ({ ...d, sha256: '0'.repeat(64) }),
      /stored bytes does not match the catalog: sha256 [0-9a-f]{64}, expected 0{64}/,
    ],
  ];
  for (const [name, change, message] of mismatches) {
    it(`fail on ${name}, saying what differs`, async () => {
      const b = await backup(Readable.from([Buffer.from('{"a":1}\n')]));
      await assert.rejects(
        restore({ ...b, storedDigest: change(b.storedDigest) }),
        (err: unknown) =>
          err instanceof IntegrityError && err.problem === 'digest-mismatch' && message.test(err.message),
      );
    });
  }

  it('a stored object replaced by another valid one fails the stored digest before decryption', async () => {
    const a = await backup(Readable.from([Buffer.from('{"a":1}\n')]));
    const other = await backup(Readable.from([Buffer.from('{"a":2}\n')]));
    await assert.rejects(
      restore(a, other.stored),
      (err: unknown) => err instanceof IntegrityError && err.problem === 'digest-mismatch',
    );
  });

  it('digest() before the end is refused rather than a partial answer', () => {
    assert.throws(() => new HashMeter().digest(), /before the metered stream ended/);
  });
});

describe('running a chain', () => {
  it('a failing stage fails the chain with its error and destroys the other stages', async () => {
    const gzip = gzipFilter().forward();
    const failing = new Transform({
      transform(_chunk, _encoding, callback) {
        callback(new Error('stage failed'));
      },
    });
    await assert.rejects(
      runChain(Readable.from([Buffer.from('x')]), [gzip, failing], new DiscardSink()),
      /stage failed/,
    );
    assert.ok(gzip.destroyed);
  });

  it('an abort signal cancels the chain, and the sink sees it', async () => {
    const controller = new AbortController();
    let sinkSignal: AbortSignal | undefined;
    const sink: Sink<void> = {
      async write(source, { abortSignal }) {
        sinkSignal = abortSignal;
        for await (const _ of source) controller.abort();
      },
    };
    async function* endless() {
      for (;;) yield randomBytes(1024);
    }
    await assert.rejects(runChain(endless(), forwardStages(filters), sink, { abortSignal: controller.signal }), {
      name: 'AbortError',
    });
    assert.equal(sinkSignal?.aborted, true);
  });

  it('a failed chain rejects only after the sink has finished cleaning up', async () => {
    let cleanedUp = false;
    const sink: Sink<void> = {
      async write(source) {
        try {
          for await (const _ of source);
        } finally {
          await sleep(50);
          cleanedUp = true;
        }
      },
    };
    async function* failing() {
      yield Buffer.from('x');
      throw new Error('source failed');
    }
    await assert.rejects(runChain(failing(), [], sink), /source failed/);
    assert.ok(cleanedUp);
  });

  it('an abort reaches a reader of openChain', async () => {
    const controller = new AbortController();
    async function* endless() {
      for (;;) yield randomBytes(1024);
    }
    const out = openChain(endless(), [new HashMeter()], { abortSignal: controller.signal });
    await assert.rejects(
      (async () => {
        for await (const _ of out) controller.abort(new Error('cancelled by the test'));
      })(),
      /cancelled by the test/,
    );
  });

  it('an integrity error in decryption reaches the reader as that error', async () => {
    const b = await backup(Readable.from(encodeNdjson(documents(100))));
    const damaged = Buffer.from(b.stored);
    damaged[damaged.length - 40]! ^= 1;
    const out = openChain(Readable.from([damaged]), reverseStages(filters));
    await assert.rejects(
      fromAsync(decodeNdjson(out)),
      (err: unknown) => err instanceof IntegrityError && err.problem === 'authentication-failed',
    );
  });
});

describe('error classification', () => {
  it('names each non-retryable error as NON_RETRYABLE_PIPELINE_ERRORS lists it (Temporal reports the name)', () => {
    const errors = [new IntegrityError('truncated', 'x'), new WrongKeyError('k1', 'k2'), new KeyConfigError('k1', 'x')];
    assert.deepEqual(
      errors.map((e) => e.name),
      [...NON_RETRYABLE_PIPELINE_ERRORS],
    );
  });
});

describe('rebuilding filters from catalog descriptions', () => {
  it('rebuilds gzip at its level and AES-256-GCM with the key resolved by id', async () => {
    const rebuilt = await filtersFromCatalog(
      [
        { kind: 'gzip', level: 6 },
        { kind: 'aes-256-gcm', keyId: 'k1', format: 1 },
      ],
      { keys },
    );
    assert.deepEqual(
      rebuilt.map((f) => f.name),
      ['gzip-6', 'aes-256-gcm(k1)'],
    );
  });

  const bad: [string, unknown, RegExp][] = [
    [
      'an unknown kind',
      { kind: 'zstd', level: 3 },
      /filters\.0\.kind: unknown filter kind; this build knows 'gzip' and 'aes-256-gcm'/,
    ],
    [
      'a newer encryption format',
      { kind: 'aes-256-gcm', keyId: 'k1', format: 2 },
      /filters\.0\.format: this build reads encryption format 1/,
    ],
    ['a gzip level out of range', { kind: 'gzip', level: 12 }, /filters\.0\.level:/],
  ];
  for (const [name, description, message] of bad) {
    it(`rejects ${name} as a record this build cannot read`, async () => {
      await assert.rejects(
        filtersFromCatalog([description], { keys }),
        (err: unknown) =>
          err instanceof IntegrityError && err.problem === 'unsupported-format' && message.test(err.message),
      );
    });
  }

  it('passes on the resolver’s error for a key id the worker does not have', async () => {
    await assert.rejects(
      filtersFromCatalog([{ kind: 'aes-256-gcm', keyId: 'k9', format: 1 }], { keys }),
      KeyConfigError,
    );
  });
});

async function fromAsync<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

function* chunked(bytes: Buffer, size: number): Generator<Buffer> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

/** Text with some repetition: gzip shrinks it, but not to nothing. */
function semiCompressible(size: number): Buffer {
  const words = ['alpha', 'beta', 'gamma', 'delta', randomBytes(8).toString('hex'), '\n'];
  const out = Buffer.alloc(size);
  for (let at = 0; at < size;) at += out.write(`${words[Math.floor(Math.random() * words.length)]} `, at);
  return out;
}
