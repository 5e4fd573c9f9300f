// The tar format the directory source writes and the directory target reads: POSIX ustar blocks with a
// PAX extended header before every entry carrying its exact name (UTF-8, any length), link target and
// nanosecond mtime, so unicode and deep paths round-trip and GNU/BSD tar read the stream too. Written by
// hand (about 100 lines) rather than taken from npm: the pipeline needs only this subset, and it must
// stream a 200 MB file without buffering it.
import { IntegrityError } from './errors';

export const BLOCK = 512;

export type EntryType = 'file' | 'directory' | 'symlink';

export interface TarEntry {
  /** Relative, `/`-separated; `.` is the root directory itself. */
  path: string;
  type: EntryType;
  /** Permission bits (0o7777). */
  mode: number;
  size: number;
  /** Seconds since the epoch as a decimal string, e.g. `1700000000.123456789`. */
  mtime: string;
  linkTarget?: string;
}

const TYPE_FLAG: Record<EntryType, string> = { file: '0', directory: '5', symlink: '2' };

/** The PAX header and ustar header of one entry (its data follows, padded to a block). */
export function entryHeader(entry: TarEntry): Buffer {
  const records = [`path=${entry.path}`, `mtime=${entry.mtime}`];
  if (entry.linkTarget !== undefined) records.push(`linkpath=${entry.linkTarget}`);
  if (entry.size > 0o77777777777) records.push(`size=${entry.size}`);
  const pax = Buffer.from(records.map(paxRecord).join(''), 'utf8');
  const seconds = Math.floor(Number(entry.mtime));
  return Buffer.concat([
    ustar({ name: 'PaxHeader', type: 'x', mode: 0o644, size: pax.length, mtime: seconds }),
    padded(pax),
    ustar({
      name: asciiName(entry.path, entry.type),
      type: TYPE_FLAG[entry.type],
      mode: entry.mode,
      size: entry.type === 'file' ? entry.size : 0,
      mtime: seconds,
    }),
  ]);
}

/** The two zero blocks that end an archive. */
export function endOfArchive(): Buffer {
  return Buffer.alloc(2 * BLOCK);
}

export function paddingFor(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

function padded(data: Buffer): Buffer {
  return Buffer.concat([data, Buffer.alloc(paddingFor(data.length))]);
}

/** "%d key=value\n", where %d counts the whole record, itself included. */
function paxRecord(field: string): string {
  const body = ` ${field}\n`;
  const bytes = Buffer.byteLength(body, 'utf8');
  const digits = String(bytes).length;
  let length = bytes + digits;
  if (String(length).length > digits) length++;
  return `${length}${body}`;
}

/** A readable stand-in for tools that ignore PAX; the PAX path is the one that counts. */
function asciiName(path: string, type: EntryType): string {
  const name = path.replace(/[^\x20-\x7e]/g, '_') + (type === 'directory' && path !== '.' ? '/' : '');
  return name.length <= 99 ? name : name.slice(-99);
}

function ustar(h: { name: string; type: string; mode: number; size: number; mtime: number }): Buffer {
  const b = Buffer.alloc(BLOCK);
  b.write(h.name, 0, 100, 'ascii');
  octal(b, 100, 8, h.mode & 0o7777);
  octal(b, 108, 8, 0);
  octal(b, 116, 8, 0);
  octal(b, 124, 12, Math.min(h.size, 0o77777777777));
  octal(b, 136, 12, Math.max(0, h.mtime));
  b.write(h.type, 156, 1, 'ascii');
  b.write('ustar\u000000', 257, 8, 'ascii');
  b.fill(' ', 148, 156);
  let sum = 0;
  for (const byte of b) sum += byte;
  b.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 8, 'ascii');
  return b;
}

function octal(b: Buffer, offset: number, width: number, value: number): void {
  b.write(`${value.toString(8).padStart(width - 1, '0')}\u0000`, offset, width, 'ascii');
}

export interface ParsedHeader {
  type: string;
  name: string;
  mode: number;
  size: number;
  mtime: number;
  linkName: string;
}

/** Reads one ustar header block; undefined for the zero block that ends an archive. */
export function parseHeader(b: Buffer): ParsedHeader | undefined {
  if (b.every((byte) => byte === 0)) return undefined;
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : b[i]!;
  if (readOctal(b, 148, 8) !== sum) throw new IntegrityError('bad-header', 'tar header checksum does not match');
  return {
    type: String.fromCharCode(b[156]!) || '0',
    name: text(b, 0, 100),
    mode: readOctal(b, 100, 8),
    size: readOctal(b, 124, 12),
    mtime: readOctal(b, 136, 12),
    linkName: text(b, 157, 100),
  };
}

/** The key=value records of a PAX extended header. */
export function parsePax(data: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    const length = Number(data.subarray(at, space).toString('ascii'));
    if (space < 0 || !Number.isInteger(length) || length <= 0 || at + length > data.length)
      throw new IntegrityError('bad-header', 'malformed PAX header record');
    const record = data.subarray(space + 1, at + length - 1).toString('utf8');
    const eq = record.indexOf('=');
    out.set(record.slice(0, eq), record.slice(eq + 1));
    at += length;
  }
  return out;
}

function text(b: Buffer, offset: number, width: number): string {
  const field = b.subarray(offset, offset + width);
  const end = field.indexOf(0);
  return field.subarray(0, end < 0 ? width : end).toString('utf8');
}

function readOctal(b: Buffer, offset: number, width: number): number {
  const s = text(b, offset, width).trim();
  if (s === '') return 0;
  const n = parseInt(s, 8);
  if (!Number.isFinite(n)) throw new IntegrityError('bad-header', `tar header field at ${offset} is not a number`);
  return n;
}
