// Source `command`: a program's standard output, e.g. `["pg_dump", "-Fc", "-d", "app"]`. The program runs
// with the worker's environment (credentials such as PGPASSWORD stay in the worker, never in the input),
// without a shell. Exiting non-zero, even after a full-looking output, fails the stream, so the sink never
// commits what a failed dump wrote.
import { spawn } from 'node:child_process';
import { z } from 'zod';
import { commandProblem } from './command';
import type { SourcePlugin } from './plugin';

const schema = z
  .object({
    /** The program and its arguments (no shell). */
    command: z.array(z.string().min(1)).min(1),
    cwd: z.string().optional(),
  })
  .strict();

export const commandSource: SourcePlugin<z.infer<typeof schema>> = {
  kind: 'command',
  schema,
  format: 'bytes',
  extension: '.out',
  check: ({ command }, field) => commandProblem(command[0]!, `${field}.command`),
  open({ command, cwd }, ctx) {
    let exitCode: number | undefined;
    const stream = (async function* () {
      const child = spawn(command[0]!, command.slice(1), {
        cwd,
        stdio: ['ignore', 'pipe', 'pipe'],
        signal: ctx.signal,
      });
      const stderr = tail(child.stderr);
      const exited = new Promise<number | null>((resolve, reject) => {
        child.once('error', reject);
        child.once('close', (code) => resolve(code));
      });
      exited.catch(() => {}); // awaited below; unawaited when the chain fails first
      try {
        for await (const chunk of child.stdout) yield chunk as Buffer;
        const code = await exited;
        if (code !== 0)
          throw new Error(`${command[0]} exited with ${code ?? 'a signal'}: ${stderr().trim() || '(no stderr)'}`);
        exitCode = code;
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    })();
    return { stream, describe: () => ({ command, exitCode }) };
  },
};

/** The last 4 KiB a stream wrote, for the error message. */
function tail(stream: NodeJS.ReadableStream): () => string {
  let kept = '';
  stream.on('data', (chunk: Buffer) => {
    kept = (kept + chunk.toString('utf8')).slice(-4096);
  });
  return () => kept;
}
