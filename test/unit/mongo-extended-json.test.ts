// toExtendedJson builds the canonical Extended JSON tree in one walk instead of EJSON.serialize's
// stringify-then-parse: it must give exactly what EJSON.serialize gives, for every BSON type as the driver
// reads it (READ_TYPES) and for values it hands back to EJSON (promoted numbers, DBRef, Code with scope).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  Binary,
  BSON,
  BSONRegExp,
  BSONSymbol,
  Code,
  DBRef,
  Decimal128,
  Double,
  Int32,
  Long,
  MaxKey,
  MinKey,
  ObjectId,
  Timestamp,
  UUID,
  type Document,
} from 'mongodb';
import { READ_TYPES, toExtendedJson } from '../../src/mongo/extended-json';

const canonical = (document: Document) => BSON.EJSON.serialize(document, { relaxed: false });

/** What the driver hands an export: the document through BSON and back with READ_TYPES (or promoted). */
const asRead = (document: Document, options: BSON.DeserializeOptions = READ_TYPES) =>
  BSON.deserialize(BSON.serialize(document), options);

function assertSame(document: Document, label: string) {
  const fast = toExtendedJson(document);
  assert.deepStrictEqual(fast, canonical(document), label);
  assert.equal(JSON.stringify(fast), JSON.stringify(canonical(document)), `${label}: same NDJSON line`);
}

const everyType: Document = {
  _id: new ObjectId('507f1f77bcf86cd799439011'),
  string: 'naïve café – 日本語 🚀 "quoted" \\ \n\t\u0001',
  empty: '',
  int: new Int32(-7),
  double: new Double(7),
  fraction: new Double(0.1),
  huge: new Double(1.5e300),
  tiny: new Double(5e-324),
  nan: new Double(NaN),
  inf: new Double(Infinity),
  negInf: new Double(-Infinity),
  negZero: new Double(-0),
  long: Long.fromString('-9223372036854775808'),
  smallLong: Long.fromNumber(3),
  decimal: Decimal128.fromString('1234567890.123456789012345678901234'),
  negDecimal: Decimal128.fromString('-0.000000000000000000000000000000001'),
  dates: [new Date(0), new Date(-86_400_000), new Date('9999-12-31T23:59:59.999Z'), new Date(8.64e15)],
  generic: new Binary(Buffer.from([0, 1, 2, 255])),
  uuid: new UUID('0f8fad5b-d9cb-469f-a165-70867728950e'),
  md5: new Binary(Buffer.alloc(16, 7), 5),
  userBinary: new Binary(Buffer.from('x'), 0x80),
  emptyBinary: new Binary(Buffer.alloc(0)),
  timestamp: new Timestamp({ t: 4_000_000_000, i: 7 }),
  regex: new BSONRegExp('^a.*[b]$', 'imsux'),
  symbol: new BSONSymbol('sym'),
  min: new MinKey(),
  max: new MaxKey(),
  code: new Code('function () { return 1; }'),
  codeWithScope: new Code('x + y', { x: new Int32(1), y: { z: new Double(2) } }),
  dbref: new DBRef('things', new ObjectId('507f191e810c19729de860ea'), 'db', { extra: new Int32(1) }),
  plainRef: new DBRef('things', new ObjectId('507f191e810c19729de860eb')),
  yes: true,
  no: false,
  nothing: null,
  nested: { a: { b: { c: [new Int32(1), [new Double(2), { d: 'e' }], []] } }, empty: {} },
  '10': 'numeric key',
  'dotted.key': 'x',
  $dollar: 'x',
  ['__proto__']: { polluted: new Int32(1) },
};

describe('toExtendedJson', () => {
  it('gives what EJSON.serialize gives for every BSON type, as the driver reads it', () => {
    const read = asRead(everyType);
    assert.ok(Object.keys(read).includes('__proto__'), 'the __proto__ field survives as an own key');
    for (const [name, value] of Object.entries(read)) assertSame({ [name]: value }, name);
    assertSame(read, 'the whole document');
  });

  it('gives the same for promoted values (JS numbers, Buffers, native RegExp), through EJSON', () => {
    const { regex: _unsupported, ...rest } = everyType; // promoted, 'x' becomes a JS flag EJSON itself refuses
    const promoted = asRead(rest, { promoteValues: true, promoteLongs: true, promoteBuffers: true });
    assertSame(promoted, 'promoted');
    assertSame({ n: 7, f: 7.5, big: 2 ** 40, re: /a+/im, u: undefined, map: new Map([['k', new Int32(1)]]) }, 'JS');
  });

  it('gives the same for 300 random nested documents', () => {
    let seed = 42;
    const next = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31) as number;
    const leaves: (() => unknown)[] = [
      () => `s${next()}`,
      () => new Int32(Math.floor(next() * 2 ** 31)),
      () => new Double((next() - 0.5) * 1e9),
      () => Long.fromNumber(Math.floor((next() - 0.5) * 2 ** 53)),
      () => new Date(Math.floor((next() - 0.3) * 4e12)),
      () => new ObjectId(),
      () => new Binary(Buffer.from(String(next()))),
      () => Decimal128.fromString(String(next())),
      () => next() > 0.5,
      () => null,
    ];
    const value = (depth: number): unknown => {
      const r = next();
      if (depth < 3 && r < 0.15) return Array.from({ length: Math.floor(next() * 4) }, () => value(depth + 1));
      if (depth < 3 && r < 0.3) return doc(depth + 1);
      return leaves[Math.floor(next() * leaves.length)]!();
    };
    const doc = (depth: number): Document =>
      Object.fromEntries(Array.from({ length: 1 + Math.floor(next() * 6) }, (_, i) => [`f${i}`, value(depth)]));
    for (let i = 0; i < 300; i++) assertSame(asRead({ _id: new ObjectId(), ...doc(0) }), `random document ${i}`);
  });
});
