// The plugins this build knows: one line each. A spec names its plugin by `kind`; the rest of the spec
// is the plugin's own options, validated by its schema.
import { InvalidInputError } from '../../domain/failures';
import type { PluginSpec } from '../../domain/pipeline-manifest';
import { aesGcmFilterPlugin } from './aes-gcm-filter';
import { blobSinkPlugin } from './blob-sink';
import { blobSource } from './blob-source';
import { blobTarget } from './blob-target';
import { commandSource } from './command-source';
import { commandTarget } from './command-target';
import { directorySource } from './directory-source';
import { directoryTarget } from './directory-target';
import { fileSinkPlugin } from './file-sink';
import { gzipFilterPlugin } from './gzip-filter';
import type { FilterPlugin, SinkPlugin, SourcePlugin, TargetPlugin } from './plugin';
import { verifyTarget } from './verify-target';

export const SOURCES: readonly SourcePlugin[] = [directorySource, commandSource, blobSource];
export const FILTERS: readonly FilterPlugin[] = [gzipFilterPlugin, aesGcmFilterPlugin];
export const SINKS: readonly SinkPlugin[] = [blobSinkPlugin, fileSinkPlugin];
export const TARGETS: readonly TargetPlugin[] = [directoryTarget, commandTarget, blobTarget, verifyTarget];

export type { BackupStore, FilterPlugin, PluginContext, SinkPlugin, SourcePlugin, TargetPlugin } from './plugin';

/** The plugin a spec names and its parsed options, or an InvalidInputError naming the field. */
export function resolvePlugin<P extends { kind: string; schema: { safeParse(v: unknown): unknown } }>(
  plugins: readonly P[],
  spec: unknown,
  field: string,
  what: string,
): { plugin: P; options: unknown } {
  const kind = (spec as { kind?: unknown } | undefined)?.kind;
  const plugin = plugins.find((p) => p.kind === kind);
  if (!plugin)
    throw new InvalidInputError(
      `${field}.kind`,
      `${field}.kind: unknown ${what} ${JSON.stringify(kind)}; this build knows ${plugins.map((p) => `'${p.kind}'`).join(', ')}`,
    );
  const { kind: _kind, ...options } = spec as PluginSpec;
  const parsed = plugin.schema.safeParse(options) as
    | { success: true; data: unknown }
    | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } };
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const at = [field, ...issue.path.map(String)].join('.');
    throw new InvalidInputError(at, `${at}: ${issue.message} (${what} '${plugin.kind}')`);
  }
  return { plugin, options: parsed.data };
}
