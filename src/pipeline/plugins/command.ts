// Finding a program the way spawn will (PATH, or a path), so that "command not found" fails before the
// run's first write with the field named, not halfway through.
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { InvalidInputError } from '../../domain/failures';

export async function commandProblem(program: string, field: string): Promise<void> {
  const candidates = program.includes('/')
    ? [program]
    : (process.env.PATH ?? '')
        .split(delimiter)
        .filter(Boolean)
        .map((dir) => join(dir, program));
  for (const candidate of candidates) {
    if (
      await access(candidate, constants.X_OK).then(
        () => true,
        () => false,
      )
    )
      return;
  }
  throw new InvalidInputError(
    field,
    `${field}: command ${JSON.stringify(program)} not found (or not executable) on the worker's PATH`,
  );
}
