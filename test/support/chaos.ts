// A fault layer for soak tests: a request decorator that answers a share of an account's requests as a
// bad day would (500, 503 with and without Retry-After, a request that never answers, a dropped
// connection), chosen by a seeded random stream so a failing run can be replayed. It counts what it
// injected by request kind, so a test can show every kind of request met every kind of fault.
import { RestError } from '@azure/core-rest-pipeline';
import type { PipelineRequest, PipelineResponse } from '@azure/core-rest-pipeline';
import type { RequestDecorator } from '../../src/storage/pipeline-policies';
import { seededRandom } from '../../src/domain/sampling';
import { errorAnswer, neverAnswer } from './chaos-answers';

export const FAULTS = ['500', '503', '503-retry-after', 'timeout', 'reset'] as const;
export type Fault = (typeof FAULTS)[number];

/** What a request is, as far as a backup is concerned. */
export type RequestKind =
  'listing' | 'snapshot' | 'copy' | 'journal' | 'chunk' | 'manifest' | 'staging' | 'read' | 'other-write';

export function requestKind(request: PipelineRequest): RequestKind {
  const url = new URL(request.url);
  const comp = url.searchParams.get('comp');
  const path = decodeURIComponent(url.pathname);
  if (request.method === 'GET' && comp === 'list') return 'listing';
  if (request.method === 'GET' || request.method === 'HEAD') return 'read';
  if (request.method === 'PUT' && comp === 'snapshot') return 'snapshot';
  if (request.method === 'PUT' && request.headers.get('x-ms-copy-source') !== undefined) return 'copy';
  if (request.method !== 'PUT') return 'other-write';
  if (path.includes('/progress/')) return 'journal';
  if (path.includes('/manifests/')) return 'manifest';
  if (/\/runs\/[^/]+\/pages\//.test(path)) return 'chunk';
  if (/\/runs\/[^/]+\/(inventory|intents|reports)\//.test(path)) return 'staging';
  return 'other-write';
}

export interface ChaosOptions {
  /** Share of requests answered with a fault (0..1). */
  rate: number;
  seed: number;
  /** The faults to choose from (default: all). */
  faults?: readonly Fault[];
  /** Fault the first request of each kind whatever the draw, so rare kinds (one manifest write) get one too. */
  firstOfEachKind?: boolean;
}

export class Chaos {
  /** Faults injected, by `kind fault` (a write's timeout or reset after the service acted: `…-after`). */
  readonly injected = new Map<string, number>();
  readonly requests = new Map<RequestKind, number>();
  /** Requests not faulted that the per-try timeout abandoned, by kind. */
  readonly timedOut = new Map<RequestKind, number>();
  private readonly random: () => number;
  private readonly faults: readonly Fault[];

  constructor(private readonly options: ChaosOptions) {
    this.random = seededRandom(options.seed);
    this.faults = options.faults ?? FAULTS;
  }

  get total(): number {
    return [...this.injected.values()].reduce((n, c) => n + c, 0);
  }

  /** Injected faults summed by fault (over kinds) or by kind (over faults). */
  totals(by: 'fault' | 'kind'): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [key, n] of this.injected) {
      const [kind, fault] = key.split(' ') as [string, string];
      const k = by === 'kind' ? kind : fault;
      out[k] = (out[k] ?? 0) + n;
    }
    return out;
  }

  readonly decorator: RequestDecorator = async (request, next) => {
    const kind = requestKind(request);
    const seen = this.requests.get(kind) ?? 0;
    this.requests.set(kind, seen + 1);
    const draw = this.random();
    const pick = this.random();
    const late = this.random() < 0.5;
    if (!(draw < this.options.rate || (this.options.firstOfEachKind && seen === 0))) {
      try {
        return await next(request);
      } catch (err) {
        // Not injected: the real service was slower than the per-try timeout (a loaded machine), and
        // may still act on the request; a test counting lost answers counts these too.
        if ((request.abortSignal as AbortSignal | undefined)?.aborted)
          this.timedOut.set(kind, (this.timedOut.get(kind) ?? 0) + 1);
        throw err;
      }
    }
    const fault = this.faults[Math.floor(pick * this.faults.length)]!;
    // A write may be lost on the way back: the service acted, the caller never heard.
    const after = (fault === 'timeout' || fault === 'reset') && late && request.method !== 'GET' && kind !== 'read';
    const count = (name: string) =>
      this.injected.set(`${kind} ${name}`, (this.injected.get(`${kind} ${name}`) ?? 0) + 1);
    count(after ? `${fault}-after` : fault);
    if (after) {
      const response = await next(request);
      response.readableStreamBody?.resume(); // drained, so the socket is freed
      return fault === 'timeout' ? neverAnswer(request) : Promise.reject(connectionReset());
    }
    return answer(request, fault);
  };
}

function answer(request: PipelineRequest, fault: Fault): Promise<PipelineResponse> {
  switch (fault) {
    case '500':
      return Promise.resolve(
        errorAnswer(
          request,
          500,
          'InternalError',
          'Server encountered an internal error. Please try again after some time.',
        ),
      );
    case '503':
      return Promise.resolve(
        errorAnswer(request, 503, 'ServerBusy', 'The server is currently unable to receive requests.'),
      );
    case '503-retry-after': {
      const response = errorAnswer(request, 503, 'ServerBusy', 'Ingress is over the account limit.');
      response.headers.set('retry-after', '1');
      return Promise.resolve(response);
    }
    case 'timeout':
      return neverAnswer(request);
    case 'reset':
      return Promise.reject(connectionReset());
  }
}

/** A dropped connection as the SDK's HTTP client reports one: a RestError with the socket's code. */
function connectionReset(): Error {
  return new RestError('read ECONNRESET (injected)', { code: 'ECONNRESET' });
}
