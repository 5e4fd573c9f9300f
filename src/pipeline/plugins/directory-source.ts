// Source `directory`: a local directory tree as a tar stream (names, modes, mtimes; tar-directory.ts).
import { opendir, stat } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { z } from 'zod';
import { InvalidInputError } from '../../domain/failures';
import { emptyTarStats, tarDirectory } from '../tar-directory';
import type { SourcePlugin } from './plugin';

const schema = z.object({ path: z.string().refine(isAbsolute, { error: 'must be an absolute path' }) }).strict();

export const directorySource: SourcePlugin<z.infer<typeof schema>> = {
  kind: 'directory',
  schema,
  format: 'tar',
  extension: '.tar',
  async check({ path }, field) {
    const st = await stat(path).catch((err: NodeJS.ErrnoException) => {
      throw new InvalidInputError(
        `${field}.path`,
        `${field}.path: ${path} cannot be read (${err.code ?? err.message})`,
      );
    });
    if (!st.isDirectory()) throw new InvalidInputError(`${field}.path`, `${field}.path: ${path} is not a directory`);
    // Listing it proves read and search permission (access() says yes to root whatever the bits).
    const dir = await opendir(path).catch((err: NodeJS.ErrnoException) => {
      throw new InvalidInputError(`${field}.path`, `${field}.path: ${path} cannot be listed (${err.code})`);
    });
    await dir.close();
  },
  open({ path }, ctx) {
    const stats = emptyTarStats();
    return {
      stream: tarDirectory(path, { abortSignal: ctx.signal, stats }),
      describe: () => ({ path, ...stats }),
    };
  },
};
