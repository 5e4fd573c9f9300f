// The backup framework's plugin interfaces: a Source yields a byte stream and describes what it read; a
// FilterPlugin builds a reversible Filter (filter.ts) from its spec, and rebuilds it from the catalog's
// description; a SinkPlugin opens a BackupStore (where objects and the run's catalog go, and are read
// back); a TargetPlugin takes a restored stream somewhere. Each plugin validates its own spec (zod) and
// checks what it can before the run's first write; `check` throws InvalidInputError naming the field.
// Adding one is a file here and a line in index.ts.
import type { z } from 'zod';
import type { BlobAccount } from '../../storage/blob-account';
import type { Sink } from '../chain';
import type { Filter } from '../filter';
import type { KeyResolver } from '../key-ring';
import type { Digest } from '../meter';

/** What a plugin may use: the worker's connections and keys, the run's cancellation. */
export interface PluginContext {
  signal: AbortSignal;
  keys: KeyResolver;
  /** The blob account behind a connection name; an unknown name fails naming `field`. */
  blob(connection: string, field: string): BlobAccount;
}

/** How a restore must treat the stream: `tar` unpacks into a directory; `bytes` is taken as it is. */
export type StreamFormat = 'tar' | 'bytes';

interface PluginBase<S> {
  readonly kind: string;
  /** The spec's fields besides `kind`. */
  readonly schema: z.ZodType<S>;
}

export interface OpenedSource {
  stream: AsyncIterable<Buffer>;
  /** What the catalog records about what was read (counts, exit code); called after the stream ended. */
  describe(): Record<string, unknown>;
}

export interface SourcePlugin<S = unknown> extends PluginBase<S> {
  readonly format: StreamFormat;
  /** The object name's extension before the filters' (e.g. `.tar`). */
  readonly extension: string;
  check(spec: S, field: string, ctx: PluginContext): Promise<void>;
  open(spec: S, ctx: PluginContext): OpenedSource;
}

export interface FilterPlugin<S = unknown> extends PluginBase<S> {
  readonly extension: string;
  /** Resolves what it needs (a key): a bad spec fails here, before any write. */
  build(spec: S, field: string, ctx: PluginContext): Promise<Filter>;
  /** The filter again from what the catalog recorded (`Filter.description`). */
  rebuild(description: unknown, ctx: PluginContext): Promise<Filter>;
}

/** Where backups go: the objects and the run's catalog, side by side. Paths are `/`-separated. */
export interface BackupStore {
  /** For messages: `blob backup/bk-1`, `file /var/backups`. */
  readonly where: string;
  /** The first write of a run (a container, a directory); only after every check has passed. */
  prepare(): Promise<void>;
  /** Writes one object, whole or not at all, never replacing one. */
  sink(path: string): Sink<Digest>;
  read(path: string): AsyncIterable<Buffer>;
  writeJson(path: string, value: unknown): Promise<void>;
  /** Undefined when there is no such file. */
  readJson<T>(path: string): Promise<T | undefined>;
  /** Paths under `prefix`, in name order. */
  list(prefix: string): Promise<string[]>;
  /** Removes a file; one that is already gone is fine. */
  remove(path: string): Promise<void>;
}

export interface SinkPlugin<S = unknown> extends PluginBase<S> {
  check(spec: S, field: string, ctx: PluginContext): Promise<void>;
  open(spec: S, ctx: PluginContext): BackupStore;
}

export interface RestoreSource {
  stream: AsyncIterable<Buffer>;
  format: StreamFormat;
  /** The run being restored, for names (e.g. a staging directory). */
  runKey: string;
}

export interface TargetPlugin<S = unknown> extends PluginBase<S> {
  /** Formats it can take; a directory needs a tar stream. */
  readonly accepts: readonly StreamFormat[];
  check(spec: S, field: string, ctx: PluginContext): Promise<void>;
  /** Consumes the verified stream. On failure it leaves nothing that looks like a finished restore. */
  restore(spec: S, source: RestoreSource, ctx: PluginContext): Promise<Record<string, unknown>>;
}
