#!/usr/bin/env node
// The `azbackup` command: starts and watches workflows through the Temporal client, and reads catalogs,
// using the same config file as the worker.
import '../lib/check-node';
import { WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import { ConfigError } from '../config/load';
import { commandHelp } from './help';
import { output } from './output';
import { runBackupCommand } from './backup-command';
import { runLsCommand, runRunsCommand } from './catalog-command';
import { UsageError } from './cli-options';
import { runConfigCheck } from './config-check';
import { runAdfCommand } from './adf-command';
import { runDrillCommand } from './drill-command';
import {
  documentKindOf,
  runDocumentBackupCommand,
  runDocumentRestoreCommand,
  runDocumentRunsCommand,
} from './document-commands';
import { runPipelineCommand } from './pipeline-command';
import { runNotifyCommand } from './notify-command';
import { runProgressCommand, runStatusCommand } from './status-command';
import { runRestoreCommand } from './restore-command';
import { runRetentionCommand } from './retention-command';
import { runScheduleCommand } from './schedule-command';

const SOURCE = `--backup B (--source S | --account A) --container C [--source-prefix P] [--backup-container X]`;
const START = `[--workflow-id ID] [--task-queue Q] [--wait]`;

const USAGE = `usage:
  azbackup config check                      validate the config ($AZBACKUP_CONFIG or ./azbackup.yaml)
  azbackup backup --source S --container C --backup B [--prefix P] [--backup-container X]
                  [--mode incremental|full] [--verify md5|deep|none] [--lease-mode] [--no-snapshot]
                  [--max-requests-per-second N] ${START}
  azbackup reconcile   (same options): redo unverified copies, recopy missing ones
  azbackup progress <workflow-id>            the live progress of a running backup or restore
  azbackup status <workflow-id> [--watch]    where any run stands: live bar, throughput, ETA; its outcome
  azbackup notify --source S --container C --backup B [--prefix P | --blob NAME...] [--requested-by WHO]
                  [--backup-container X] [--linger-seconds N] [--task-queue Q] [--json]
                                             data was just written: back the container up now, or once
                                             more after the running backup (requests are merged)

  A backed-up source is named by its connection (--source) or its storage account name (--account):
  azbackup runs ${SOURCE} [--json]
                                             the committed backup runs of a source
  azbackup ls ${SOURCE}
              [--as-of ISO-TIME | --run KEY] [--prefix P] [--include-deleted] [--json]
                                             what a run holds: the source as of a time
  azbackup restore ${SOURCE}
                   --to CONNECTION/CONTAINER [--as-of ISO-TIME | --run KEY] [--prefix P | --blob NAME...]
                   [--overwrite never|ifNewer|always] [--include-deleted] [--verify md5|deep] [--dry-run]
                   [--concurrency N] ${START}
  azbackup retention ${SOURCE}
                   [--keep-last N] [--keep-hourly N] [--keep-daily N] [--keep-weekly N] [--keep-monthly N]
                   [--keep-yearly N] [--keep-within 30d] [--prune-snapshots --snapshot-max-age-days N
                   | --snapshot-keep-newest N] [--grace-period-minutes N | --grace-period-seconds N (at least 5)] [--dry-run] ${START}
  azbackup backup cosmos --cosmos C --database D --container X --backup B [--mode export|full|replica]
                  [--to C/D/X (replica)] [--from ISO] [--until ISO] [--window-seconds N] [--settle-seconds N]
                  [--compression gzip|none] [--encryption-key NAME] ${START}
                                             export a Cosmos DB container in _ts windows (incremental)
  azbackup restore cosmos --backup B --account A --database D --container X --to C/D/X [--as-of ISO]
                  [--allow-source-target] [--dry-run] ${START}
  azbackup runs cosmos --backup B --account A --database D --container X [--json]
  azbackup backup|restore|runs mongo   the same for Cosmos DB for MongoDB: --mongo C --collection X
                                             (ObjectId windows; --to C/D/collection)
  azbackup adf deploy --adf A --source S --backup B [--cosmos C] [--mongo M --key-vault URL [--mongo-secret NAME]]
                                             create or update azbackup's Data Factory pipelines (idempotent)
  azbackup drill ${SOURCE}
                 [--count N | --percent P] [--seed S] [--keep-scratch] ${START}
                                             restore a random sample into a scratch container and compare
  azbackup schedule create ID (--every 6h | --cron "0 2 * * *" | --at 02:00) [--timezone TZ] [--jitter 5m]
                  [--overlap skip|buffer-one] [--catchup-window 10m] [--no-pause-on-failure] [--note TEXT] [--paused]
                  [--task-queue Q] (backup|reconcile|retention|drill|backup cosmos|backup mongo <its flags>
                  | --kind backup|reconcile|retention|drill|scrub|cosmos|mongo --input JSON)
  azbackup schedule list [--json] | describe ID [--json] | pause|unpause ID [--note TEXT] | delete ID
  azbackup schedule trigger ID [--overlap skip|buffer-one] | backfill ID --from ISO --to ISO [--overlap …]
  azbackup schedule apply [--dry-run] [--prune]
                                             make the schedules: section of the config real
  azbackup pipeline backup --name N (--dir PATH | -- COMMAND...) [--gzip 1-9|none] [--key NAME]
                  (--backup B [--backup-container X] | --store-dir PATH) ${START}
  azbackup pipeline restore --name N (--backup B [--backup-container X] | --store-dir PATH) [--run KEY]
                  (--to-dir PATH | --verify | -- COMMAND...) ${START}
  azbackup pipeline retention --name N (--backup B [--backup-container X] | --store-dir PATH)
                  [--keep-last N] [--keep-daily N] ... [--keep-within 30d] [--dry-run] ${START}
                                             any source (a directory, a command's output) through gzip and
                                             AES-256-GCM into a store, and back (README: Backup pipelines)
  Every command takes --json (JSON lines for scripts); azbackup <command> --help shows an example.`;

/** Commands that read --json themselves; for the others main takes it off and sets the output mode. */
const OWN_JSON = new Set(['runs', 'ls', 'notify', 'status', 'adf', 'schedule']);

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  const help = commandHelp(command);
  if (help && (args.includes('--help') || args.includes('-h'))) {
    console.log(help);
    return 0;
  }
  output.json = args.includes('--json');
  const rest = command && OWN_JSON.has(command) ? args : args.filter((a) => a !== '--json');
  switch (command) {
    case 'config':
      if (rest[0] === 'check') return runConfigCheck();
      break;
    case 'backup':
      if (documentKindOf(rest[0])) return runDocumentBackupCommand(documentKindOf(rest[0])!, rest.slice(1));
      return runBackupCommand(rest);
    case 'reconcile':
      return runBackupCommand(rest, 'reconcile');
    case 'progress':
      return runProgressCommand(rest);
    case 'notify':
      return runNotifyCommand(rest);
    case 'status':
      return runStatusCommand(rest);
    case 'runs':
      if (documentKindOf(rest[0])) return runDocumentRunsCommand(documentKindOf(rest[0])!, rest.slice(1));
      return runRunsCommand(rest);
    case 'ls':
      return runLsCommand(rest);
    case 'restore':
      if (documentKindOf(rest[0])) return runDocumentRestoreCommand(documentKindOf(rest[0])!, rest.slice(1));
      return runRestoreCommand(rest);
    case 'retention':
      return runRetentionCommand(rest);
    case 'drill':
      return runDrillCommand(rest);
    case 'adf':
      return runAdfCommand(rest);
    case 'schedule':
      return runScheduleCommand(rest);
    case 'pipeline':
      return runPipelineCommand(rest);
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
    const command = process.argv[2];
    // One line and a hint, never a stack trace.
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`azbackup ${command}: ${(err as Error).message}`);
      console.error(
        commandHelp(command)
          ? `hint: azbackup ${command} --help shows its options and an example`
          : `hint: azbackup --help lists the commands`,
      );
      process.exit(2);
    }
    console.error(`azbackup: ${rootMessage(err)}`);
    const hint = hintFor(err);
    if (hint) console.error(`hint: ${hint}`);
    process.exit(1);
  },
);

/** What to try next, for the failures users meet first. */
function hintFor(err: unknown): string | undefined {
  if (err instanceof ConfigError) return 'fix the fields named above; azbackup config check validates the file';
  if (err instanceof WorkflowNotFoundError)
    return 'check the workflow id (azbackup prints it when it starts a run; the Temporal UI lists them all)';
  const message = err instanceof Error ? err.message : String(err);
  if (/connect|UNAVAILABLE|ECONNREFUSED|deadline/i.test(message))
    return 'is the Temporal server reachable at temporal.address in the config? (npm run dev starts a local one)';
  if (err instanceof WorkflowFailedError)
    return 'azbackup status <workflow-id> shows the run; the Temporal UI its history';
  return undefined;
}

/** The message of the innermost cause of a workflow failure (an activity's failure wraps the real one). */
function rootMessage(err: unknown): string {
  let current: unknown = err instanceof WorkflowFailedError ? (err.cause ?? err) : err;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current instanceof Error ? current.message : String(current);
}
