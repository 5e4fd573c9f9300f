#!/usr/bin/env node
// The `azbackup` command: starts and watches workflows through the Temporal client, using the same
// config file as the worker (it needs only the `temporal` section and connection names).
import { runBackupCommand } from './backup-command';
import { runConfigCheck } from './config-check';
import { runProgressCommand } from './progress-command';

const USAGE = `usage:
  azbackup config check                      validate the config ($AZBACKUP_CONFIG or ./azbackup.yaml)
  azbackup backup --source S --container C --backup B [--prefix P] [--backup-container X]
                  [--mode incremental|full] [--verify md5|deep|none] [--lease-mode] [--no-snapshot]
                  [--max-requests-per-second N] [--workflow-id ID] [--task-queue Q] [--wait]
  azbackup reconcile   (same options): redo unverified copies, recopy missing ones
  azbackup progress <workflow-id>            the live progress of a running backup`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'config':
      if (rest[0] === 'check') return runConfigCheck();
      break;
    case 'backup':
      return runBackupCommand(rest);
    case 'reconcile':
      return runBackupCommand(rest, 'reconcile');
    case 'progress':
      return runProgressCommand(rest);
    case undefined:
    case '-h':
    case '--help':
      console.log(USAGE);
      return command ? 0 : 2;
  }
  console.error(`azbackup: unknown command ${JSON.stringify(argv.join(' '))}\n${USAGE}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`azbackup: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
