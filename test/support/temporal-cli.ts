// The `temporal` CLI as a user runs it against the test stack: the stack's own binary, with the stack's
// address and namespace in TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE (the CLI's own environment variables).
import { spawn } from 'node:child_process';
import { dirname } from 'node:path';
import { stackConfig, stackInfo } from './stack';

export interface TemporalRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The stack's `temporal` binary; the tests of the CLI need it (the SDK-downloaded server has no CLI of ours). */
export function temporalBinary(): string {
  const path = stackInfo().temporalCli;
  if (!path) throw new Error('the test stack runs no temporal CLI binary of its own (see dev/temporal-cli.ts)');
  return path;
}

/** Environment for a shell or the CLI: the binary's folder first on PATH, the stack's address and namespace. */
export function temporalEnv(): NodeJS.ProcessEnv {
  const { temporal } = stackConfig();
  return {
    ...process.env,
    PATH: `${dirname(temporalBinary())}:${process.env.PATH ?? ''}`,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_NAMESPACE: temporal.namespace,
  };
}

export function temporal(args: string[]): Promise<TemporalRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(temporalBinary(), args, { env: temporalEnv() });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs the CLI and fails with its output unless it exits 0. */
export async function temporalOk(args: string[]): Promise<string> {
  const run = await temporal(args);
  if (run.code !== 0) throw new Error(`temporal ${args.join(' ')} exited ${run.code}:\n${run.stdout}\n${run.stderr}`);
  return run.stdout;
}

/** `temporal workflow result` waits for the run; its result as the CLI decodes it (an empty list prints as null). */
export async function cliWorkflowResult<R>(workflowId: string): Promise<R> {
  const out = await temporalOk(['workflow', 'result', '--workflow-id', workflowId, '-o', 'json']);
  return decodeResult(JSON.parse(out) as PrintedResult) as R;
}

interface PrintedResult {
  status: string;
  result?: unknown;
}

function decodeResult(printed: PrintedResult): unknown {
  if (printed.status !== 'COMPLETED') throw new Error(`the run ended ${printed.status}: ${JSON.stringify(printed)}`);
  return printed.result;
}
