// The azbackup CLI as a user runs it: a child process reading the stack's config file.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { stackInfo } from './stack';

const root = join(__dirname, '..', '..');

export interface CliRun {
  code: number | null;
  /** stdout and stderr, interleaved as they came. */
  out: string;
}

export function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args], {
      cwd: root,
      env: { ...process.env, AZBACKUP_CONFIG: stackInfo().configFile, ...env },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => resolve({ code, out }));
  });
}
