// README.md's shell commands as a reader copies them: every ```sh block cut into whole commands (quotes
// spanning lines, `\` continuations and `for … done` kept together), plus each `npx azbackup …` the README
// offers in a comment (`# or: npx azbackup …`). Only the cutting lives here; readme-commands.test.ts says
// what each command must do.

export interface ReadmeCommand {
  /** The command as bash runs it (trailing comments removed, continuations kept). */
  text: string;
  /** 1-based line of README.md where it starts. */
  line: number;
  /** Given in a comment, as an alternative to the command before it. */
  commented: boolean;
}

const FENCE = /^```sh\s*$/;
const COMMENTED = /^#\s*(?:[^:]*:\s*)?(npx azbackup\b.*)$/;

export function readmeCommands(markdown: string): ReadmeCommand[] {
  const lines = markdown.split('\n');
  const commands: ReadmeCommand[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!FENCE.test(lines[i]!)) continue;
    const body: { text: string; line: number }[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) body.push({ text: lines[i]!, line: i + 1 });
    commands.push(...splitBlock(body));
  }
  return commands;
}

function splitBlock(lines: { text: string; line: number }[]): ReadmeCommand[] {
  const out: ReadmeCommand[] = [];
  let current: { parts: string[]; line: number; commented: boolean } | undefined;
  let quote: string | undefined;
  let loops = 0;
  const flush = () => {
    if (current) out.push({ text: current.parts.join('\n').trim(), line: current.line, commented: current.commented });
    current = undefined;
  };
  for (const { text, line } of lines) {
    const trimmed = text.trim();
    if (current?.commented) {
      // A commented command continues on the next comment line only after a trailing backslash.
      const more = /^#\s*(.*)$/.exec(trimmed);
      if (more) current.parts.push(more[1]!);
      if (!more || !more[1]!.endsWith('\\')) flush();
      continue;
    }
    if (!current && !quote && trimmed.startsWith('#')) {
      const alternative = COMMENTED.exec(trimmed);
      if (alternative) {
        current = { parts: [alternative[1]!], line, commented: true };
        if (!alternative[1]!.endsWith('\\')) flush();
      }
      continue;
    }
    if (!current && trimmed === '') continue;
    const { code, quoteAfter, comment } = scan(text, quote);
    quote = quoteAfter;
    current ??= { parts: [], line, commented: false };
    current.parts.push(code);
    loops += (code.match(/\bdo\b/g) ?? []).length - (code.match(/\bdone\b/g) ?? []).length;
    if (!quote && !code.trimEnd().endsWith('\\') && loops <= 0) {
      flush();
      loops = 0;
      // `npm run worker   # or: npm run build && node …`: only `npx azbackup` alternatives are commands here.
      const alternative = comment && COMMENTED.exec(comment);
      if (alternative) out.push({ text: alternative[1]!, line, commented: true });
    }
  }
  flush();
  return out;
}

/** The code of a line without its trailing comment, and the quote still open at its end. */
function scan(text: string, quoteBefore: string | undefined): { code: string; quoteAfter?: string; comment?: string } {
  let quote = quoteBefore;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!)))
      return { code: text.slice(0, i).trimEnd(), quoteAfter: undefined, comment: text.slice(i).trim() };
  }
  return { code: text, quoteAfter: quote };
}
