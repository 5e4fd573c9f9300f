// Waiting for a started component to listen, failing early (with its log) when it dies instead.
import type { ManagedProcess } from './managed-process';
import { canConnect } from './ports';

export async function waitForPort(proc: ManagedProcess, port: number, timeoutInMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutInMs;
  while (Date.now() < deadline) {
    if (proc.hasExited) throw new Error(proc.describeExit());
    if (await canConnect(port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  await proc.stop();
  throw new Error(
    `${proc.options.name} did not start listening on port ${port} within ${timeoutInMs / 1000} s. ` +
      `Last lines of its log:\n${proc.logTail()}`,
  );
}
