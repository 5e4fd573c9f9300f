// The staticDetails of every run the CLI starts: a short markdown card the Temporal UI shows beside the
// summary (source, target, mode, links), so a run found in the list says what it does without its input.
import type { Config } from '../config/schema';
import { workflowUrl } from './temporal-client';

export interface StartDetails {
  /** What is read, e.g. `source/photos` or `backup` ← catalog of `source/photos`. */
  source: string;
  /** What is written. */
  target: string;
  /** How, e.g. `incremental, verify md5` or `dry run`. */
  mode: string;
}

/** Markdown: one bullet per field, then the UI link and the CLI command that watches the run. */
export function startDetailsMarkdown(
  details: StartDetails,
  context: { config: Config; command: string; workflowId: string },
): string {
  const url = workflowUrl(context.config, context.workflowId);
  return [
    `**azbackup ${context.command}**`,
    '',
    `- **Source:** ${code(details.source)}`,
    `- **Target:** ${code(details.target)}`,
    `- **Mode:** ${details.mode}`,
    `- **Links:** ${url ? `[this run in the Temporal UI](${url}) · ` : ''}watch with ${code(`azbackup progress ${context.workflowId}`)}`,
  ].join('\n');
}

/** Modes and flags given, in order, skipping the unset ones: `incremental, verify md5`. */
export function modeOf(parts: Record<string, string | number | boolean | undefined>, fallback = 'defaults'): string {
  const given = Object.entries(parts)
    .filter(([, v]) => v !== undefined && v !== false)
    .map(([k, v]) => (v === true ? k : `${k} ${v}`));
  return given.length ? given.join(', ') : fallback;
}

function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}
