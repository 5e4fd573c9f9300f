// Sink `file`: a local directory, for tests and air-gapped machines. Objects are written to `.partial`
// files and linked into place only when complete and synced (FileSink, createOnly); the catalog is JSON
// files beside them, written the same way.
import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { z } from 'zod';
import { InvalidInputError } from '../../domain/failures';
import { runChain } from '../chain';
import { FileSink } from '../file-sink';
import { readLocalFile } from '../file-source';
import type { SinkPlugin } from './plugin';

const schema = z.object({ path: z.string().refine(isAbsolute, { error: 'must be an absolute path' }) }).strict();

export const fileSinkPlugin: SinkPlugin<z.infer<typeof schema>> = {
  kind: 'file',
  schema,
  async check({ path }, field) {
    const parent = dirname(path);
    await readdir(parent).catch((err: NodeJS.ErrnoException) => {
      throw new InvalidInputError(
        `${field}.path`,
        `${field}.path: its parent ${parent} cannot be listed (${err.code})`,
      );
    });
  },
  open({ path: root }, ctx) {
    const at = (path: string) => join(root, ...path.split('/'));
    const sink = (path: string) => {
      const file = new FileSink(at(path), { createOnly: true });
      return {
        write: async (source: AsyncIterable<Buffer>, options: { abortSignal: AbortSignal }) => {
          await mkdir(dirname(file.path), { recursive: true });
          const { bytes, sha256 } = await file.write(source, options);
          return { bytes, sha256 };
        },
      };
    };
    return {
      where: `file ${root}`,
      prepare: async () => void (await mkdir(root, { recursive: true })),
      sink,
      read: (path) => readLocalFile(at(path), { abortSignal: ctx.signal }),
      writeJson: (path, value) =>
        runChain([Buffer.from(JSON.stringify(value, null, 2))], [], sink(path), { abortSignal: ctx.signal }).then(
          () => {},
        ),
      async readJson<T>(path: string) {
        const text = await readFile(at(path), 'utf8').catch((err: NodeJS.ErrnoException) => {
          if (err.code === 'ENOENT') return undefined;
          throw err;
        });
        return text === undefined ? undefined : (JSON.parse(text) as T);
      },
      async list(prefix) {
        const dir = at(prefix.slice(0, prefix.lastIndexOf('/') + 1));
        const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
        return entries
          .filter((e) => e.isFile() && !e.name.endsWith('.partial'))
          .map((e) => relative(root, join(e.parentPath, e.name)).split('\\').join('/'))
          .filter((p) => p.startsWith(prefix))
          .sort();
      },
      remove: (path) => rm(at(path), { force: true }),
    };
  },
};
