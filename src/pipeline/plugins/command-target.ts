// Target `command`: the restored stream on a program's standard input, e.g. `["pg_restore",
// "--single-transaction", "--exit-on-error", "-d", "app"]`. If the stream fails (a digest, a tag, a cut
// object), the program is killed before its input is closed, so it never sees a clean end of a partial
// input; with a transactional program nothing of the restore is left. A non-zero exit fails the restore.
import { spawn } from 'node:child_process';
import { z } from 'zod';
import { commandProblem } from './command';
import type { TargetPlugin } from './plugin';

const schema = z.object({ command: z.array(z.string().min(1)).min(1), cwd: z.string().optional() }).strict();

export const commandTarget: TargetPlugin<z.infer<typeof schema>> = {
  kind: 'command',
  schema,
  accepts: ['bytes', 'tar'],
  check: ({ command }, field) => commandProblem(command[0]!, `${field}.command`),
  async restore({ command, cwd }, source, ctx) {
    const child = spawn(command[0]!, command.slice(1), { cwd, stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-4096)));
    const exited = new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code) => resolve(code));
    });
    exited.catch(() => {}); // awaited below, after the stream
    child.stdin.on('error', () => {}); // EPIPE when it exits early: the exit code says why
    let bytes = 0;
    try {
      for await (const chunk of source.stream) {
        ctx.signal.throwIfAborted();
        bytes += chunk.length;
        if (!child.stdin.write(chunk)) {
          await new Promise<void>((resolve) => {
            const done = () => {
              child.stdin.off('drain', done);
              child.off('close', done);
              resolve();
            };
            child.stdin.once('drain', done);
            child.once('close', done);
          });
          if (child.exitCode !== null) break;
        }
      }
    } catch (err) {
      child.kill('SIGKILL'); // before stdin closes: the program must not take a cut input as whole
      await exited.catch(() => {});
      child.stdin.destroy();
      throw err;
    }
    child.stdin.end();
    const code = await exited;
    if (code !== 0)
      throw new Error(`${command[0]} exited with ${code ?? 'a signal'}: ${stderr.trim() || '(no stderr)'}`);
    return { command, bytes };
  },
};
