// What a command prints: lines for people, or with --json one JSON object per line (JSON Lines: a start
// prints {workflowId, runId, url}; --wait then prints {workflowId, result}), for scripts. main sets the
// mode from the command line before the command runs.

export const output = { json: false };

/** Prints `value` as one JSON line in --json mode, else the human text. */
export function emit(value: unknown, human: () => string): void {
  console.log(output.json ? JSON.stringify(value) : human());
}
