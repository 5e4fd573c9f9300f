// Documents between the driver and an export: canonical Extended JSON (`{"$numberInt":"7"}`,
// `{"$numberDouble":"7.0"}`, `{"$numberLong":"7"}`, `{"$date":{"$numberLong":"…"}}`, `{"$oid":"…"}`), the
// one JSON form in which every BSON type keeps its type through NDJSON. It only works if the driver does not
// promote values on the way in: by default it turns Int32, Double and small Longs all into JS numbers, and a
// restore would write 7.0 back as an int. So every read that feeds an export uses READ_TYPES.
import type { Document } from 'mongodb';
import type { ExportedDocument } from '../exports/document-store';
import { mongoSdk } from '../lib/lazy-sdk';

const EJSON = () => mongoSdk().BSON.EJSON;
const CANONICAL = { relaxed: false } as const;

/**
 * Driver read options that keep every type as BSON had it: number wrappers (Int32, Double, Long) instead of
 * JS numbers, Binary instead of Buffer, and BSONRegExp (flags JS has no equivalent for survive).
 */
export const READ_TYPES = {
  promoteValues: false,
  promoteLongs: false,
  promoteBuffers: false,
  bsonRegExp: true,
} as const;

/**
 * A document read with READ_TYPES, as canonical Extended JSON: the tree `EJSON.serialize` gives, built in one
 * walk. `EJSON.serialize` is `JSON.parse(EJSON.stringify(…))`: every document written to text and parsed back
 * (twice the work of the bare driver loop, and a second copy of every string), then stringified again into
 * NDJSON. What a document read from the driver holds (plain objects, arrays, strings, booleans, null, Dates
 * and the bson value classes) is converted here; anything else goes through `EJSON.serialize`, so the output
 * is the same (test/unit/mongo-extended-json.test.ts holds the two equal on every BSON type).
 */
export function toExtendedJson(document: Document): ExportedDocument {
  return canonicalValue(document) as ExportedDocument;
}

/** bson classes whose own toExtendedJSON gives plain JSON values (no nested bson values to convert). */
const LEAF_TYPES = new Set([
  'ObjectId',
  'Int32',
  'Double',
  'Long',
  'Decimal128',
  'Binary',
  'Timestamp',
  'BSONRegExp',
  'BSONSymbol',
  'MinKey',
  'MaxKey',
]);

function canonicalValue(value: unknown): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (value === undefined) return null; // as EJSON writes BSON undefined
  if (typeof value !== 'object') return EJSON().serialize(value as Document, CANONICAL);
  if (Array.isArray(value)) return value.map(canonicalValue);
  if (value instanceof Date) return { $date: { $numberLong: String(value.getTime()) } };
  const bsonType = (value as { _bsontype?: unknown })._bsontype;
  if (bsonType === undefined && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const name of Object.keys(value)) {
      const converted = canonicalValue((value as Record<string, unknown>)[name]);
      if (name === '__proto__')
        Object.defineProperty(out, name, { value: converted, writable: true, enumerable: true, configurable: true });
      else out[name] = converted;
    }
    return out;
  }
  const toExtendedJSON = (value as { toExtendedJSON?: (options: object) => unknown }).toExtendedJSON;
  if (typeof bsonType === 'string' && LEAF_TYPES.has(bsonType) && typeof toExtendedJSON === 'function')
    return toExtendedJSON.call(value, CANONICAL);
  return EJSON().serialize(value as Document, CANONICAL); // DBRef, Code, Map, RegExp, other bson versions…
}

/**
 * An exported document as BSON values for the driver. Relaxed input works too (a plain 7 becomes an Int32,
 * 7.5 a Double), but only canonical input says which of Int32, Long and Double a whole number was.
 */
export function fromExtendedJson(document: ExportedDocument): Document {
  return EJSON().deserialize(document, CANONICAL) as Document;
}

/** An `_id` (a BSON value) as canonical Extended JSON text: a stable key, and `idOfKey` turns it back. */
export function idKey(id: unknown): string {
  return EJSON().stringify(id, CANONICAL);
}

/** The `_id` of a key from `idKey`, as a BSON value for a filter. */
export function idOfKey(key: string): unknown {
  return EJSON().parse(key, CANONICAL);
}

/** The key of an exported `_id` (canonical or relaxed Extended JSON): the same text `idKey` gives the stored one. */
export function exportedIdKey(id: unknown): string {
  return idKey(EJSON().deserialize({ _id: id }, CANONICAL)._id);
}
