// The AES-256-GCM chunked format: round trips at the chunk-size edges, and every way a stored object can
// be damaged (cut, reordered, dropped, duplicated, flipped, extended, or read with the wrong key) is
// rejected with its own error, without releasing plaintext of a chunk whose tag failed.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { DecryptStream } from '../../src/pipeline/decrypt';
import { EncryptStream } from '../../src/pipeline/encrypt';
import { EncryptionKey } from '../../src/pipeline/encryption-key';
import { IntegrityError, WrongKeyError, type IntegrityProblem } from '../../src/pipeline/errors';

const CHUNK = 1024;
const TAG = 16;
const key = new EncryptionKey('k1', randomBytes(32));
const headerBytes = 8 + 1 + 1 + Buffer.byteLength(key.id) + 4 + 16 + 7;

async function collect(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part);
  return Buffer.concat(parts);
}

function encrypt(plaintext: Buffer, k = key): Promise<Buffer> {
  return collect(Readable.from(pieces(plaintext, 700)).pipe(new EncryptStream(k, { chunkBytes: CHUNK })));
}

/**
 * Feeds `ciphertext` in pieces of `pieceBytes`, so chunk boundaries never line up with writes, and records
 * every byte the decryptor releases ('data' events: an async iterator would drop what was buffered when
 * the error came, hiding a release).
 */
function decrypt(ciphertext: Buffer, k = key, pieceBytes = 333): Promise<{ out: Buffer; error?: unknown }> {
  const parts: Buffer[] = [];
  const decryptor = new DecryptStream(k);
  decryptor.on('data', (part: Buffer) => parts.push(part));
  Readable.from(pieces(ciphertext, pieceBytes)).pipe(decryptor);
  return new Promise((resolve) => {
    decryptor.on('end', () => resolve({ out: Buffer.concat(parts) }));
    decryptor.on('error', (error) => resolve({ out: Buffer.concat(parts), error }));
  });
}

function* pieces(bytes: Buffer, size: number): Generator<Buffer> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

/** Where the header, each data chunk (ciphertext | tag) and the empty final chunk sit in `ciphertext`. */
function layout(ciphertext: Buffer) {
  const chunks: Buffer[] = [];
  const dataEnd = ciphertext.length - TAG;
  for (let at = headerBytes; at < dataEnd; at += CHUNK + TAG)
    chunks.push(ciphertext.subarray(at, Math.min(at + CHUNK + TAG, dataEnd)));
  return { header: ciphertext.subarray(0, headerBytes), chunks, final: ciphertext.subarray(dataEnd) };
}

function flip(bytes: Buffer, at: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[at]! ^= 0x01;
  return copy;
}

describe('encrypted format round trips', () => {
  const sizes: [string, number][] = [
    ['empty', 0],
    ['one byte', 1],
    ['one byte short of a chunk', CHUNK - 1],
    ['exactly one chunk', CHUNK],
    ['exactly three chunks', 3 * CHUNK],
    ['three chunks and a byte', 3 * CHUNK + 1],
    ['several MiB', 3 * 1024 * 1024 + 17],
  ];
  for (const [name, size] of sizes) {
    it(`${name} (${size} bytes): decrypts to the input, with the expected layout`, async () => {
      const plaintext = randomBytes(size);
      const ciphertext = await encrypt(plaintext);
      const dataChunks = Math.ceil(size / CHUNK);
      assert.equal(
        ciphertext.length,
        headerBytes + size + dataChunks * TAG + TAG,
        'header + data + a tag per chunk + final',
      );
      assert.deepEqual(ciphertext.subarray(0, 8), Buffer.from('AZBKENC1'));
      const { out, error } = await decrypt(ciphertext);
      assert.equal(error, undefined);
      assert.ok(out.equals(plaintext));
    });
  }

  it('writes a fresh salt and nonce prefix per object: the same plaintext encrypts differently', async () => {
    const plaintext = randomBytes(2 * CHUNK);
    const [a, b] = await Promise.all([encrypt(plaintext), encrypt(plaintext)]);
    assert.ok(!a.subarray(headerBytes - 23, headerBytes).equals(b.subarray(headerBytes - 23, headerBytes)));
    assert.ok(!a.subarray(headerBytes).equals(b.subarray(headerBytes)));
  });
});

describe('damaged encrypted objects are rejected with a specific error', async () => {
  // 3.5 chunks: chunks 0-2 full, chunk 3 short, then the final (empty) chunk 4.
  const plaintext = randomBytes(3 * CHUNK + CHUNK / 2);
  const ciphertext = await encrypt(plaintext);
  const { header, chunks, final } = layout(ciphertext);
  assert.equal(chunks.length, 4);
  const [c0, c1, c2, c3] = chunks as [Buffer, Buffer, Buffer, Buffer];
  const junk = randomBytes(3 * CHUNK);
  // An object whose plaintext fills its chunks exactly ends with a full chunk, then the final one.
  const exact = await encrypt(randomBytes(2 * CHUNK));

  const cases: [string, Buffer, IntegrityProblem, number | undefined][] = [
    ['empty stream', Buffer.alloc(0), 'truncated', undefined],
    ['cut inside the header', ciphertext.subarray(0, headerBytes - 5), 'truncated', undefined],
    ['cut right after the header', ciphertext.subarray(0, headerBytes), 'truncated', 0],
    ['cut at a chunk boundary (after chunk 1)', Buffer.concat([header, c0, c1]), 'truncated', 2],
    ['cut after the last data chunk (final chunk missing)', Buffer.concat([header, c0, c1, c2, c3]), 'truncated', 4],
    ['cut in the middle of chunk 2', Buffer.concat([header, c0, c1, c2.subarray(0, 500)]), 'truncated', 2],
    // Where a short last chunk ends is known only from the final chunk after it, so the cut is reported at it.
    ['cut inside the final chunk', ciphertext.subarray(0, ciphertext.length - 3), 'truncated', 3],
    ['cut inside the final chunk of a whole-chunks object', exact.subarray(0, exact.length - 3), 'truncated', 2],
    ['chunks 0 and 1 swapped', Buffer.concat([header, c1, c0, c2, c3, final]), 'authentication-failed', 0],
    ['chunks 1 and 2 swapped', Buffer.concat([header, c0, c2, c1, c3, final]), 'authentication-failed', 1],
    ['chunk 1 dropped', Buffer.concat([header, c0, c2, c3, final]), 'authentication-failed', 1],
    ['chunk 1 duplicated', Buffer.concat([header, c0, c1, c1, c2, c3, final]), 'authentication-failed', 2],
    ['a byte flipped in the salt', flip(ciphertext, headerBytes - 10), 'authentication-failed', 0],
    ['a byte flipped in the nonce prefix', flip(ciphertext, headerBytes - 1), 'authentication-failed', 0],
    ['a byte flipped in the chunk size', flip(ciphertext, headerBytes - 24), 'authentication-failed', 0],
    ['a byte flipped in the magic', flip(ciphertext, 3), 'bad-header', undefined],
    ['a byte flipped in the version', flip(ciphertext, 8), 'unsupported-format', undefined],
    [
      'a byte flipped in chunk 2 ciphertext',
      flip(ciphertext, headerBytes + 2 * (CHUNK + TAG) + 100),
      'authentication-failed',
      2,
    ],
    [
      'a byte flipped in chunk 1 tag',
      flip(ciphertext, headerBytes + 2 * (CHUNK + TAG) - 1),
      'authentication-failed',
      1,
    ],
    [
      'a byte flipped in the short last chunk',
      flip(ciphertext, headerBytes + 3 * (CHUNK + TAG) + 5),
      'authentication-failed',
      3,
    ],
    ['one byte after the final chunk', Buffer.concat([ciphertext, Buffer.of(0)]), 'trailing-data', 4],
    ['a copy of the final chunk after it', Buffer.concat([ciphertext, final]), 'trailing-data', 4],
    ['chunks of data after the final chunk', Buffer.concat([ciphertext, junk]), 'trailing-data', 4],
    [
      'data after the final chunk of a whole-chunks object',
      Buffer.concat([exact, Buffer.of(1, 2, 3)]),
      'trailing-data',
      2,
    ],
    ['a second object after the final chunk', Buffer.concat([ciphertext, exact]), 'trailing-data', 4],
  ];
  for (const [name, damaged, problem, chunk] of cases) {
    it(`${name}: ${problem}${chunk === undefined ? '' : ` at chunk ${chunk}`}`, async () => {
      for (const pieceBytes of [1, 333, damaged.length + 1]) {
        const { error } = await decrypt(damaged, key, pieceBytes);
        assert.ok(error instanceof IntegrityError, `read in pieces of ${pieceBytes}: ${String(error)}`);
        assert.equal(error.problem, problem, error.message);
        assert.equal(error.chunk, chunk, error.message);
      }
    });
  }

  it('names the chunk and the likely cause when a tag fails', async () => {
    const first = (await decrypt(flip(ciphertext, headerBytes + 5))).error as Error;
    assert.equal(first.message, 'authentication failed at chunk 0: wrong key or the data was modified');
    const later = (await decrypt(flip(ciphertext, headerBytes + 2 * (CHUNK + TAG) + 100))).error as Error;
    assert.match(later.message, /^authentication failed at chunk 2: the data was modified \(chunks 0 to 1 verified/);
  });

  it('says "truncated" for a stream that ends without its final chunk', async () => {
    const { error } = await decrypt(Buffer.concat([header, c0, c1]));
    assert.equal((error as Error).message, 'truncated: the stream ends after chunk 1 without its final chunk');
  });

  it('says "data after the final chunk" for bytes past the end', async () => {
    const { error } = await decrypt(Buffer.concat([ciphertext, Buffer.of(0)]));
    assert.match((error as Error).message, /^data after the final chunk: 1 bytes follow chunk 4/);
  });

  it('releases no plaintext of a chunk whose tag fails: exactly the chunks before it', async () => {
    for (const pieceBytes of [1, 333, 4096, ciphertext.length]) {
      const { out, error } = await decrypt(flip(ciphertext, headerBytes + 2 * (CHUNK + TAG) + 100), key, pieceBytes);
      assert.ok(error instanceof IntegrityError);
      assert.equal(out.length, 2 * CHUNK, `pieces of ${pieceBytes}`);
      assert.ok(out.equals(plaintext.subarray(0, 2 * CHUNK)));
    }
  });

  it('a wrong key with the right id fails authentication at chunk 0 and releases nothing', async () => {
    const { out, error } = await decrypt(ciphertext, new EncryptionKey('k1', randomBytes(32)));
    assert.ok(error instanceof IntegrityError);
    assert.equal(error.problem, 'authentication-failed');
    assert.equal(error.chunk, 0);
    assert.equal(out.length, 0);
  });

  it('a wrong key fails the same way on an empty object', async () => {
    const { error } = await decrypt(await encrypt(Buffer.alloc(0)), new EncryptionKey('k1', randomBytes(32)));
    assert.ok(error instanceof IntegrityError);
    assert.equal(error.problem, 'authentication-failed');
  });

  it('a key with another id is refused before any chunk, naming the key the object needs', async () => {
    const { out, error } = await decrypt(ciphertext, new EncryptionKey('k2', key.key));
    assert.ok(error instanceof WrongKeyError);
    assert.equal(error.neededKeyId, 'k1');
    assert.equal(error.resolvedKeyId, 'k2');
    assert.match(error.message, /encrypted with key id "k1".*resolve key "k1"/);
    assert.equal(out.length, 0);
  });

  it('a byte flipped in the key id asks for the key id it now names', async () => {
    const { error } = await decrypt(flip(ciphertext, 10));
    assert.ok(error instanceof WrongKeyError);
    assert.equal(error.neededKeyId, 'j1');
  });

  it('plain bytes are not mistaken for an encrypted object', async () => {
    const { error } = await decrypt(Buffer.from('{"id":1}\n'));
    assert.ok(error instanceof IntegrityError);
    assert.equal(error.problem, 'bad-header');
    assert.match(error.message, /not an azbackup encrypted stream/);
  });
});
