// The streamed chain's cost against the shell: MiB/s per CPU core of gzip-1 + AES-256-GCM (the chain a
// backup runs) over generated, semi-compressible NDJSON, against `gzip -1 | openssl enc -aes-256-ctr` on
// the same file, and their ratio (target ≥ 0.9). Per core, measured as CPU time (user + system, all
// threads and child processes), because both sides spread over more than one core: zlib runs on libuv's
// threads beside the encryption, and the shell runs gzip and openssl side by side.
// Run alone with `npx tsx bench/pipeline-chain.ts [inputMiB]`.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aesGcmFilter } from '../src/pipeline/aes-gcm';
import { runChain } from '../src/pipeline/chain';
import { DiscardSink } from '../src/pipeline/discard-sink';
import { EncryptionKey } from '../src/pipeline/encryption-key';
import { FileSink } from '../src/pipeline/file-sink';
import { readLocalFile } from '../src/pipeline/file-source';
import { forwardStages } from '../src/pipeline/filter';
import { gzipFilter } from '../src/pipeline/gzip';
import { HashMeter } from '../src/pipeline/meter';
import { encodeNdjson } from '../src/pipeline/ndjson';

const MiB = 1024 * 1024;

export interface PipelineChainBenchOptions {
  /** Size of the generated NDJSON input; default 256 MiB. */
  inputMiB?: number;
  log?: (message: string) => void;
}

export interface Measurement {
  cpuSeconds: number;
  wallSeconds: number;
  /** Input MiB per CPU-second. */
  mibPerCore: number;
  /** What would be stored: compression levels differ between zlib builds, so compare sizes too. */
  outputBytes: number;
}

export interface PipelineChainBenchResult {
  inputBytes: number;
  /** gzip-1 + AES-256-GCM: the comparison with the shell. */
  chain: Measurement;
  /** The same plus both SHA-256 meters, as a backup runs it. */
  chainWithMeters: Measurement;
  shell: Measurement;
  /** chain.mibPerCore / shell.mibPerCore. */
  ratio: number;
}

export async function pipelineChainBench(options: PipelineChainBenchOptions = {}): Promise<PipelineChainBenchResult> {
  const log = options.log ?? ((m: string) => console.log(m));
  const dir = mkdtempSync(join(tmpdir(), 'azbackup-bench-pipeline-'));
  try {
    const input = join(dir, 'input.ndjson');
    const { bytes: inputBytes } = await runChain(
      encodeNdjson(documents((options.inputMiB ?? 256) * MiB)),
      [],
      new FileSink(input),
    );
    log(`input: ${(inputBytes / MiB).toFixed(0)} MiB of NDJSON in ${input}`);
    const key = new EncryptionKey('bench', randomBytes(32));
    const filters = () => forwardStages([gzipFilter({ level: 1 }), aesGcmFilter(key)]);

    await cpuTimed(inputBytes, () => runShell(input, key.key)); // warms the page cache for both
    const shell = await cpuTimed(inputBytes, () => runShell(input, key.key));
    const chain = await cpuTimed(inputBytes, () => runChain(readLocalFile(input), filters(), new DiscardSink()));
    const chainWithMeters = await cpuTimed(inputBytes, () =>
      runChain(readLocalFile(input), [new HashMeter(), ...filters(), new HashMeter()], new DiscardSink()),
    );
    const ratio = chain.mibPerCore / shell.mibPerCore;
    const row = (name: string, m: Measurement) =>
      `${name.padEnd(44)} ${m.mibPerCore.toFixed(1).padStart(7)} MiB/s per core ` +
      `(${m.cpuSeconds.toFixed(2)} s CPU, ${(inputBytes / MiB / m.wallSeconds).toFixed(1)} MiB/s wall, ` +
      `output ${((100 * m.outputBytes) / inputBytes).toFixed(1)}% of input)`;
    log(row('chain: gzip-1 + AES-256-GCM', chain));
    log(row('chain + SHA-256 meters (as a backup runs)', chainWithMeters));
    log(row('shell: gzip -1 | openssl enc -aes-256-ctr', shell));
    log(`ratio chain / shell: ${ratio.toFixed(2)} (target ≥ 0.90)`);
    return { inputBytes, chain, chainWithMeters, shell, ratio };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs `fn` and measures this process's CPU time plus what `fn` reports for child processes. */
async function cpuTimed(
  inputBytes: number,
  fn: () => Promise<{ bytes: number; childCpuSeconds?: number }>,
): Promise<Measurement> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const result = await fn();
  const wallSeconds = (performance.now() - started) / 1000;
  const own = process.cpuUsage(cpu);
  const cpuSeconds = (own.user + own.system) / 1e6 + (result.childCpuSeconds ?? 0);
  return { cpuSeconds, wallSeconds, mibPerCore: inputBytes / MiB / cpuSeconds, outputBytes: result.bytes };
}

/** The shell pipeline; bash's `times` reports the CPU its children (gzip, openssl) used. */
function runShell(input: string, key: Buffer): Promise<{ bytes: number; childCpuSeconds: number }> {
  const iv = randomBytes(16).toString('hex');
  const script = `gzip -1 < "$1" | openssl enc -aes-256-ctr -K ${key.toString('hex')} -iv ${iv} | wc -c; times`;
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script, 'bench', input], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      // wc's count, then `times`: the shell's user and system time, then its children's, as 0m1.234s.
      const lines = out.trim().split('\n');
      const children = lines.at(-1)?.match(/(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s/);
      if (code !== 0 || !children) return reject(new Error(`shell pipeline failed (${code}): ${out}`));
      const [, um, us, sm, ss] = children.map(Number) as [number, number, number, number, number];
      resolve({ bytes: Number(lines[0]), childCpuSeconds: um * 60 + us + sm * 60 + ss });
    });
  });
}

/** Catalog-like documents: repeated field names and vocabulary, random ids and numbers. */
function* documents(totalBytes: number): Generator<unknown> {
  const words = Array.from({ length: 2000 }, () => randomBytes(5).toString('base64url'));
  const pick = () => words[Math.floor(Math.random() * words.length)];
  for (let bytes = 0, i = 0; bytes < totalBytes; i++) {
    const doc = {
      id: randomBytes(12).toString('hex'),
      _ts: 1_700_000_000 + i,
      customer: { name: `${pick()} ${pick()}`, tier: i % 3 === 0 ? 'gold' : 'standard', region: pick() },
      amount: Math.round(Math.random() * 1e6) / 100,
      tags: [pick(), pick(), pick()],
      note: Array.from({ length: 8 }, pick).join(' '),
    };
    bytes += JSON.stringify(doc).length + 1;
    yield doc;
  }
}

if (require.main === module) {
  pipelineChainBench({ inputMiB: process.argv[2] ? Number(process.argv[2]) : undefined }).then(
    () => process.exit(0),
    (err) => {
      console.error(err instanceof Error ? err.stack : err);
      process.exit(1);
    },
  );
}
