// `azbackup <command> --help`: each command's options and an example a user can paste.
const START = '[--workflow-id ID] [--task-queue Q] [--wait] [--json]';
const SOURCE = '--backup B (--source S | --account A) --container C [--source-prefix P] [--backup-container X]';

export const COMMAND_HELP: Record<string, string> = {
  config: `azbackup config check [--json]
  Validate the config ($AZBACKUP_CONFIG or ./azbackup.yaml) and list its connections (never their secrets).
example:
  npx azbackup config check`,
  backup: `azbackup backup --source S --container C --backup B [--prefix P] [--backup-container X]
                [--mode incremental|full] [--verify md5|deep|none] [--lease-mode] [--no-snapshot]
                [--max-requests-per-second N] ${START}
azbackup backup cosmos|mongo ...   (see the README: Cosmos DB exports)
  Back up a blob container (or a prefix of it). Exit code 3: done, but not every copy verified.
example:
  npx azbackup backup --source source --container photos --backup backup --wait`,
  reconcile: `azbackup reconcile (the options of backup)
  Redo unverified copies and recopy missing ones.
example:
  npx azbackup reconcile --source source --container photos --backup backup --wait`,
  progress: `azbackup progress <workflow-id> [--json]
  One reading of a running backup's or restore's progress, pages in flight included.
example:
  npx azbackup progress backup-source-photos`,
  status: `azbackup status <workflow-id> [--watch] [--interval-seconds N] [--json]
  Where any azbackup workflow stands: a live bar, throughput and ETA while it runs, its outcome once closed.
  Exit code: 0 running or done, 3 completed but not verified, 1 failed, cancelled or terminated.
example:
  npx azbackup status backup-source-photos --watch`,
  notify: `azbackup notify --source S --container C --backup B [--prefix P | --blob NAME...] [--requested-by WHO]
                [--backup-container X] [--linger-seconds N] [--task-queue Q] [--json]
  Data was just written: back the container up now, or once more after the running backup.
example:
  npx azbackup notify --source source --container photos --backup backup --prefix 2026/12/01/ --requested-by ingest`,
  runs: `azbackup runs ${SOURCE} [--json]
azbackup runs cosmos|mongo ...
  The committed backup runs of a source.
example:
  npx azbackup runs --backup backup --account source --container photos`,
  ls: `azbackup ls ${SOURCE} [--as-of ISO-TIME | --run KEY] [--prefix P] [--include-deleted] [--json]
  What a run holds: the source as of a time.
example:
  npx azbackup ls --backup backup --source source --container photos --as-of 2026-12-01T00:00:00Z`,
  restore: `azbackup restore ${SOURCE} --to CONNECTION/CONTAINER [--as-of ISO-TIME | --run KEY]
                 [--prefix P | --blob NAME...] [--overwrite never|ifNewer|always] [--include-deleted]
                 [--verify md5|deep] [--dry-run] [--concurrency N] ${START}
azbackup restore cosmos|mongo ...
  Restore a run (or the source as of a time) into a container. Exit code 3: some items failed.
example:
  npx azbackup restore --backup backup --source source --container photos --to source/photos-restored --wait`,
  retention: `azbackup retention ${SOURCE} [--keep-last N] [--keep-daily N] [--keep-within 30d] ... [--dry-run] ${START}
  Forget old runs by policy and collect the copies only they referenced.
example:
  npx azbackup retention --backup backup --source source --container photos --keep-daily 7 --dry-run --wait`,
  drill: `azbackup drill ${SOURCE} [--count N | --percent P] [--seed S] [--keep-scratch] ${START}
  Restore a random sample into a scratch container and compare it byte for byte.
example:
  npx azbackup drill --backup backup --source source --container photos --count 20 --wait`,
  schedule: `azbackup schedule create ID (--every 6h | --cron "0 2 * * *" | --at 02:00) [--timezone TZ] [--jitter 5m]
                  [--overlap skip|buffer-one] [--catchup-window 10m] [--no-pause-on-failure] [--note TEXT]
                  [--paused] <command and its flags>
azbackup schedule list | describe ID | pause|unpause ID | trigger ID | backfill ID | delete ID | apply
  Keep any run on a Temporal Schedule (see the README: Schedules).
example:
  npx azbackup schedule create photos-6h --every 6h backup --source source --container photos --backup backup`,
  adf: `azbackup adf deploy --adf A --source S --backup B [--cosmos C] [--mongo M --key-vault URL] [--json]
  Create or update azbackup's Data Factory pipelines (idempotent).
example:
  npx azbackup adf deploy --adf adf --source source --backup backup`,
};

/** The help of `command`, or undefined when it has none. */
export function commandHelp(command: string | undefined): string | undefined {
  return command === undefined ? undefined : COMMAND_HELP[command];
}
