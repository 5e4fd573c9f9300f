// The backup framework against the shell, writing to the same local directory: a directory backup
// (directory source → gzip-1 → AES-256-GCM → file sink) against `tar -cf - DIR | gzip -1 | openssl enc
// -aes-256-ctr > FILE`, and a stream backup (`cat FILE` as a command source) against `cat FILE | gzip -1 |
// openssl enc -aes-256-ctr > FILE`. Each side runs as its own process: the shell under /usr/bin/time (CPU of
// all its processes, peak RSS of the largest), the framework timing its run from inside (its CPU, all
// threads; its peak RSS, tsx included). MiB/s is input per wall second.
// Run alone with `npx tsx bench/pipeline-framework.ts [inputMiB]`.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const MiB = 1024 * 1024;
const root = join(__dirname, '..');

export interface SideMeasurement {
  wallSeconds: number;
  cpuSeconds: number;
  mibPerSecond: number;
  peakRssMiB: number;
  outputBytes: number;
}

export interface FrameworkComparison {
  inputBytes: number;
  framework: SideMeasurement;
  shell: SideMeasurement;
  /** framework.mibPerSecond / shell.mibPerSecond (target ≥ 0.9). */
  ratio: number;
}

export interface PipelineFrameworkBenchResult {
  directory: FrameworkComparison & { files: number };
  stream: FrameworkComparison;
}

export async function pipelineFrameworkBench(
  options: { inputMiB?: number; log?: (m: string) => void } = {},
): Promise<PipelineFrameworkBenchResult> {
  const log = options.log ?? ((m: string) => console.log(m));
  const inputMiB = options.inputMiB ?? 256;
  const dir = mkdtempSync(join(tmpdir(), 'azbackup-bench-framework-'));
  const key = randomBytes(32);
  try {
    const tree = join(dir, 'tree');
    const files = writeTree(tree, inputMiB * MiB);
    const file = join(dir, 'stream.ndjson');
    writeFileSync(file, semiCompressible(inputMiB * MiB));
    const out = join(dir, 'out');
    mkdirSync(out);
    log(`input: a tree of ${files} files and one stream, ${inputMiB} MiB each, in ${dir}`);

    const compare = async (what: string, source: object, shellSource: string, inputBytes: number) => {
      await timed(`${shellSource} > /dev/null`); // warms the page cache for both
      const shell = await timed(
        `${shellSource} | gzip -1 | openssl enc -aes-256-ctr -K ${key.toString('hex')} -iv ${randomBytes(16).toString('hex')} > ${join(out, `${what}-shell`)}`,
        inputBytes,
        join(out, `${what}-shell`),
      );
      const input = {
        name: what,
        source,
        filters: [
          { kind: 'gzip', level: 1 },
          { kind: 'aes-256-gcm', key: 'bench' },
        ],
        sink: { kind: 'file', path: join(out, `${what}-framework`) },
      };
      const child = `${process.execPath} --import tsx ${join(root, 'bench', 'pipeline-framework-child.ts')}`;
      const { stdout } = await run('bash', ['-c', `${child} '${JSON.stringify(input)}'`], {
        env: { ...process.env, AZBACKUP_BENCH_KEY: key.toString('base64') },
      });
      const own = JSON.parse(stdout) as Omit<SideMeasurement, 'mibPerSecond'>;
      const framework = { ...own, mibPerSecond: inputBytes / MiB / own.wallSeconds };
      const ratio = framework.mibPerSecond / shell.mibPerSecond;
      const row = (name: string, m: SideMeasurement) =>
        `${name.padEnd(22)} ${m.mibPerSecond.toFixed(1).padStart(7)} MiB/s wall, ${m.cpuSeconds.toFixed(1)} s CPU, ` +
        `peak RSS ${m.peakRssMiB.toFixed(0)} MiB, output ${(m.outputBytes / MiB).toFixed(1)} MiB`;
      log(row(`${what}: framework`, framework));
      log(row(`${what}: shell`, shell));
      log(`${what}: ratio framework / shell ${ratio.toFixed(2)} (target ≥ 0.90)`);
      return { inputBytes, framework, shell, ratio };
    };
    const directory = await compare(
      'directory',
      { kind: 'directory', path: tree },
      `tar -cf - -C ${tree} .`,
      inputMiB * MiB,
    );
    const stream = await compare('stream', { kind: 'command', command: ['cat', file] }, `cat ${file}`, inputMiB * MiB);
    return { directory: { ...directory, files }, stream };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs a shell command under /usr/bin/time. */
async function timed(script: string, inputBytes = 0, outputFile?: string): Promise<SideMeasurement> {
  const { stderr } = await run('/usr/bin/time', ['-f', 'TIME %e %U %S %M', 'bash', '-c', script]);
  const m = /TIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(stderr);
  if (!m) throw new Error(`no timing in: ${stderr}`);
  const [wall, user, sys, rssKiB] = m.slice(1).map(Number) as [number, number, number, number];
  const outputBytes = outputFile ? Number((await run('stat', ['-c', '%s', outputFile])).stdout) : 0;
  return {
    wallSeconds: wall,
    cpuSeconds: user + sys,
    mibPerSecond: inputBytes / MiB / Math.max(wall, 0.01),
    peakRssMiB: rssKiB / 1024,
    outputBytes,
  };
}

/** Files of catalog-like text (words from a small vocabulary, random numbers): gzip-1 gets about 3:1. */
function writeTree(root: string, totalBytes: number): number {
  let written = 0;
  let files = 0;
  for (let d = 0; written < totalBytes; d++) {
    const dir = join(root, `dir-${d % 20}`, `sub-${d % 7}`);
    mkdirSync(dir, { recursive: true });
    const size = Math.min(totalBytes - written, files % 50 === 0 ? 4 * MiB : 128 * 1024 + (files % 17) * 4096);
    writeFileSync(join(dir, `file-${files}.txt`), semiCompressible(size));
    written += size;
    files++;
  }
  return files;
}

const WORDS = Array.from({ length: 2000 }, () => randomBytes(5).toString('base64url'));

function semiCompressible(bytes: number): Buffer {
  const out = Buffer.allocUnsafe(bytes);
  let at = 0;
  while (at < bytes) {
    const line = `{"id":"${randomBytes(6).toString('hex')}","n":${Math.floor(Math.random() * 1e6)},"w":"${WORDS[Math.floor(Math.random() * WORDS.length)]} ${WORDS[Math.floor(Math.random() * WORDS.length)]}"}\n`;
    at += out.write(line, at);
  }
  return out;
}

if (require.main === module) {
  pipelineFrameworkBench({ inputMiB: process.argv[2] ? Number(process.argv[2]) : undefined }).then(
    () => process.exit(0),
    (err) => {
      console.error(err instanceof Error ? err.stack : err);
      process.exit(1);
    },
  );
}
