// ObjectId ↔ time for Cosmos DB for MongoDB: known ObjectIds, the epoch and 2106 bounds, which `_id`s are
// ObjectIds at all (and which case of hex), `_id` windows with no gap or overlap, and the filter text an ADF
// Copy activity's Mongo source takes. The domain code does pure hex arithmetic; the mongodb driver is used here
// only to check that it agrees.
import { BSON, ObjectId } from 'mongodb';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  isObjectIdHex,
  mongoWindowFilter,
  mongoWindowFilterJson,
  OBJECTID_END_MS,
  OBJECTID_MAX_SECONDS,
  objectIdHexOf,
  objectIdLowerBound,
  objectIdWindow,
  planObjectIdWindows,
  timeOfObjectId,
  type ObjectIdWindow,
} from '../../src/domain/objectid-windows';

const t = (iso: string) => Date.parse(iso);

describe('ObjectId time', () => {
  const known: [string, string, number, string][] = [
    ['the MongoDB manual example', '507f1f77bcf86cd799439011', 1350508407, '2012-10-17T21:13:27.000Z'],
    ['the epoch', '000000000000000000000000', 0, '1970-01-01T00:00:00.000Z'],
    ['the last second of ObjectId time', 'ffffffffffffffffffffffff', OBJECTID_MAX_SECONDS, '2106-02-07T06:28:15.000Z'],
    ['upper case: the same ObjectId', '507F1F77BCF86CD799439011', 1350508407, '2012-10-17T21:13:27.000Z'],
    ['a time in 2026', '6b0d65400000000000000000', 1796040000, '2026-11-30T12:00:00.000Z'],
  ];
  for (const [name, hex, seconds, iso] of known) {
    it(`reads ${name}: ${hex} is ${iso}`, () => {
      assert.equal(timeOfObjectId(hex), seconds);
      assert.equal(new Date(timeOfObjectId(hex) * 1000).toISOString(), iso);
      assert.equal(timeOfObjectId(hex), new ObjectId(hex).getTimestamp().getTime() / 1000, 'the driver agrees');
    });
  }

  const bounds: [number, string][] = [
    [0, '000000000000000000000000'],
    [1, '000000010000000000000000'],
    [1350508407, '507f1f770000000000000000'],
    [OBJECTID_MAX_SECONDS, 'ffffffff0000000000000000'],
  ];
  for (const [seconds, hex] of bounds) {
    it(`the smallest ObjectId of second ${seconds} is ${hex}, as the driver's createFromTime`, () => {
      assert.equal(objectIdLowerBound(seconds), hex);
      assert.equal(ObjectId.createFromTime(seconds).toHexString(), hex);
      assert.equal(timeOfObjectId(hex), seconds);
    });
  }

  it('refuses seconds outside 32 bits instead of wrapping them as the driver does', () => {
    assert.equal(ObjectId.createFromTime(2 ** 32).toHexString(), '000000000000000000000000', 'the driver wraps');
    for (const seconds of [2 ** 32, -1, 1.5, Number.NaN]) {
      assert.throws(() => objectIdLowerBound(seconds), RangeError, String(seconds));
    }
  });

  it('refuses text that is no ObjectId', () => {
    assert.throws(() => timeOfObjectId('507f1f77bcf86cd79943901'), /not an ObjectId \(24 hex digits\)/);
    assert.throws(() => timeOfObjectId('zzzzzzzzzzzzzzzzzzzzzzzz'), RangeError);
  });
});

describe('which _id is an ObjectId', () => {
  const hex: [string, unknown, boolean][] = [
    ['24 lower-case hex digits', '507f1f77bcf86cd799439011', true],
    ['24 upper-case hex digits', '507F1F77BCF86CD799439011', true],
    ['mixed case', '507f1F77bcf86CD799439011', true],
    ['23 digits', '507f1f77bcf86cd79943901', false],
    ['25 digits', '507f1f77bcf86cd7994390111', false],
    ['24 characters, not hex', '507f1f77bcf86cd79943901g', false],
    ['24 letters', 'abcdefghijklmnopqrstuvwx', false],
    ['surrounding space', ' 507f1f77bcf86cd799439011', false],
    ['a number', 507, false],
    ['an ObjectId object (not text)', new ObjectId('507f1f77bcf86cd799439011'), false],
  ];
  for (const [name, value, expected] of hex) {
    it(`isObjectIdHex: ${name} → ${expected}`, () => assert.equal(isObjectIdHex(value), expected));
  }

  const ids: [string, unknown, string | undefined][] = [
    ["the driver's ObjectId", new ObjectId('507f1f77bcf86cd799439011'), '507f1f77bcf86cd799439011'],
    ["the driver's ObjectId from upper-case hex", new ObjectId('507F1F77BCF86CD799439011'), '507f1f77bcf86cd799439011'],
    ['Extended JSON', { $oid: '507f1f77bcf86cd799439011' }, '507f1f77bcf86cd799439011'],
    ['Extended JSON in upper case: lower-cased', { $oid: '507F1F77BCF86CD799439011' }, '507f1f77bcf86cd799439011'],
    ['a string of 24 hex digits (a string _id)', '507f1f77bcf86cd799439011', undefined],
    ['a string', 'order-42', undefined],
    ['a number', 42, undefined],
    ['a UUID string', '6f1c2b1e-3f0a-4c55-9d4e-7a1b2c3d4e5f', undefined],
    ['a compound _id', { tenant: 'a', n: 1 }, undefined],
    ['Extended JSON that is no ObjectId', { $oid: 'not-hex' }, undefined],
    ['an object with $oid and more', { $oid: '507f1f77bcf86cd799439011', extra: 1 }, undefined],
    ['null', null, undefined],
    ['undefined', undefined, undefined],
  ];
  for (const [name, id, expected] of ids) {
    it(`objectIdHexOf: ${name} → ${expected ?? 'not an ObjectId'}`, () => assert.equal(objectIdHexOf(id), expected));
  }

  it('reads ObjectIds the driver parsed from Extended JSON', () => {
    const doc = BSON.EJSON.parse('{"_id":{"$oid":"507f1f77bcf86cd799439011"},"s":"507f1f77bcf86cd799439011"}');
    assert.equal(objectIdHexOf(doc._id), '507f1f77bcf86cd799439011');
    assert.equal(objectIdHexOf(doc.s), undefined);
  });
});

describe('ObjectId windows', () => {
  it('cut days into _id ranges that touch: each lt is the next gte', () => {
    const plan = planObjectIdWindows({
      fromMs: t('2026-11-01T00:00:00Z'),
      toMs: t('2026-11-02T06:00:00Z'),
      windowSeconds: 8 * 3600,
    });
    assert.ok(plan.ok);
    const hex = (iso: string) => objectIdLowerBound(t(iso) / 1000);
    assert.deepEqual(
      plan.windows.map((w) => [w.index, w.gte, w.lt]),
      [
        [0, hex('2026-11-01T00:00:00Z'), hex('2026-11-01T08:00:00Z')],
        [1, hex('2026-11-01T08:00:00Z'), hex('2026-11-01T16:00:00Z')],
        [2, hex('2026-11-01T16:00:00Z'), hex('2026-11-02T00:00:00Z')],
        [3, hex('2026-11-02T00:00:00Z'), hex('2026-11-02T06:00:00Z')],
      ],
    );
    assert.equal(plan.windows[0]!.gte, '6ae681000000000000000000');
  });

  it('put every ObjectId of the range in exactly one window, boundary seconds included', () => {
    const plan = planObjectIdWindows({ fromMs: 1_000_000_000, toMs: 1_000_100_000, windowSeconds: 7 });
    assert.ok(plan.ok);
    // The first and last ObjectId of each second, compared as hex (ObjectIds order as their bytes).
    for (let s = 1_000_000; s < 1_000_100; s++) {
      for (const id of [objectIdLowerBound(s), s.toString(16).padStart(8, '0') + 'f'.repeat(16)]) {
        const holders: ObjectIdWindow[] = plan.windows.filter((w) => id >= w.gte && (w.lt === undefined || id < w.lt));
        assert.equal(holders.length, 1, `${id} (second ${s})`);
        assert.ok(holders[0]!.fromMs <= s * 1000 && s * 1000 < holders[0]!.toMs);
      }
    }
  });

  it('start at the epoch', () => {
    const plan = planObjectIdWindows({ fromMs: 0, toMs: 86_400_000, windowSeconds: 86_400 });
    assert.ok(plan.ok);
    assert.deepEqual(plan.windows[0], {
      index: 0,
      fromMs: 0,
      toMs: 86_400_000,
      gte: '000000000000000000000000',
      lt: '000151800000000000000000',
    });
  });

  it('end at 2106 with no $lt', () => {
    const plan = planObjectIdWindows({
      fromMs: OBJECTID_END_MS - 2 * 86_400_000,
      toMs: OBJECTID_END_MS,
      windowSeconds: 86_400,
    });
    assert.ok(plan.ok);
    assert.equal(new Date(OBJECTID_END_MS).toISOString(), '2106-02-07T06:28:16.000Z');
    assert.equal(plan.windows.length, 2);
    assert.equal(plan.windows[0]!.lt, plan.windows[1]!.gte);
    assert.equal(plan.windows[1]!.lt, undefined);
    assert.equal(plan.windows[1]!.gte, objectIdLowerBound(OBJECTID_MAX_SECONDS - 86_400 + 1));
  });

  it('give a window inside the last second an empty range, the window before it running to the end', () => {
    const [before, last] = [
      objectIdWindow({ index: 0, fromMs: OBJECTID_END_MS - 10_000, toMs: OBJECTID_END_MS - 500 }),
      objectIdWindow({ index: 1, fromMs: OBJECTID_END_MS - 500, toMs: OBJECTID_END_MS }),
    ];
    assert.equal(before!.lt, undefined);
    assert.equal(last!.gte, last!.lt, 'gte = lt: matches nothing');
  });

  it('report a range past 2106 as a problem, not a wrap', () => {
    const plan = planObjectIdWindows({
      fromMs: OBJECTID_END_MS - 1000,
      toMs: OBJECTID_END_MS + 1000,
      windowSeconds: 1,
    });
    assert.ok(!plan.ok);
    assert.deepEqual(plan.problems, [
      {
        field: 'toMs',
        value: OBJECTID_END_MS + 1000,
        message: 'is past the end of ObjectId time, 2106-02-07T06:28:16.000Z (32 bits of seconds)',
      },
    ]);
    assert.throws(
      () => objectIdWindow({ index: 0, fromMs: OBJECTID_END_MS, toMs: OBJECTID_END_MS + 1000 }),
      /past the end of ObjectId time/,
    );
  });

  it('report problems of their own and of planWindows at once', () => {
    const plan = planObjectIdWindows({
      fromMs: OBJECTID_END_MS + 1000,
      toMs: OBJECTID_END_MS + 2000,
      windowSeconds: 0,
    });
    assert.ok(!plan.ok);
    assert.deepEqual(
      plan.problems.map((p) => p.field),
      ['fromMs', 'toMs', 'windowSeconds'],
    );
  });
});

describe('the ADF Mongo source filter', () => {
  const window: ObjectIdWindow = {
    index: 0,
    fromMs: 1350508407_000,
    toMs: 1350508407_000 + 3600_000,
    gte: '507f1f770000000000000000',
    lt: '507f2d870000000000000000',
  };

  it('is Extended JSON with $gte and $lt', () => {
    assert.equal(
      mongoWindowFilterJson(window),
      '{"_id":{"$gte":{"$oid":"507f1f770000000000000000"},"$lt":{"$oid":"507f2d870000000000000000"}}}',
    );
    assert.deepEqual(objectIdWindow(window), window, 'the window computes to the same bounds');
  });

  it('has only $gte for the last window up to 2106', () => {
    const last = objectIdWindow({ index: 3, fromMs: OBJECTID_END_MS - 3600_000, toMs: OBJECTID_END_MS });
    assert.equal(mongoWindowFilterJson(last), '{"_id":{"$gte":{"$oid":"fffff1f00000000000000000"}}}');
  });

  it("parses with the driver's Extended JSON into ObjectId bounds", () => {
    const filter = BSON.EJSON.parse(mongoWindowFilterJson(window)) as { _id: { $gte: ObjectId; $lt: ObjectId } };
    assert.ok(filter._id.$gte instanceof ObjectId);
    assert.equal(filter._id.$gte.toHexString(), ObjectId.createFromTime(1350508407).toHexString());
    assert.equal(filter._id.$lt.toHexString(), ObjectId.createFromTime(1350508407 + 3600).toHexString());
    assert.deepEqual(JSON.parse(mongoWindowFilterJson(window)), mongoWindowFilter(window));
  });
});
