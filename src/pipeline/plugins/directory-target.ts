// Target `directory`: unpacks a tar stream (a `directory` source's backup) into `path`, which must not
// exist yet (or be an empty directory). It unpacks into `<path>.azbackup-partial` and renames that into
// place only once the stream has ended and verified, so a failed restore never leaves a directory under
// the asked-for name; the partial directory is removed on failure and by the next attempt.
import { readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import { dirname, isAbsolute } from 'node:path';
import { z } from 'zod';
import { InvalidInputError } from '../../domain/failures';
import { untar } from '../untar';
import type { TargetPlugin } from './plugin';

const schema = z.object({ path: z.string().refine(isAbsolute, { error: 'must be an absolute path' }) }).strict();

export const directoryTarget: TargetPlugin<z.infer<typeof schema>> = {
  kind: 'directory',
  schema,
  accepts: ['tar'],
  async check({ path }, field) {
    const problem = `${field}.path`;
    const entries = await readdir(path).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw new InvalidInputError(problem, `${problem}: ${path} exists and cannot be listed (${err.code})`);
    });
    if (entries && entries.length > 0)
      throw new InvalidInputError(problem, `${problem}: ${path} is not empty; restore into a new directory`);
    const parent = await stat(dirname(path)).catch(() => undefined);
    if (!parent?.isDirectory())
      throw new InvalidInputError(problem, `${problem}: the parent directory ${dirname(path)} does not exist`);
  },
  async restore({ path }, source, ctx) {
    const partial = `${path}.azbackup-partial`;
    await rm(partial, { recursive: true, force: true }); // an earlier attempt's
    try {
      const stats = await untar(source.stream, partial, { abortSignal: ctx.signal });
      await rmdir(path).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
      await rename(partial, path);
      return { path, ...stats };
    } catch (err) {
      await rm(partial, { recursive: true, force: true });
      throw err;
    }
  },
};
