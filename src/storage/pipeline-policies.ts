// Request-level decorators for storage clients: every request to an account first takes a token from
// that account's bucket (a cap across all activities of the worker); tests add fault injectors the same way.
import type {
  Agent,
  Pipeline as CorePipeline,
  PipelinePolicy,
  PipelineRequest,
  PipelineResponse,
  SendRequest,
} from '@azure/core-rest-pipeline';
import { RestError, type Pipeline } from '@azure/storage-blob';
import type { TokenBucket } from './token-bucket';

/** What a decorator sees: the request, and a way to send it on. */
export type RequestDecorator = (request: PipelineRequest, next: SendRequest) => Promise<PipelineResponse>;

/**
 * The decorators, first outermost, as one native policy placed after the SDK's retry policy (next to the
 * wire, below response deserialization): every attempt takes a rate-limit token (as the account counts
 * them) and a decorator's own response is handled like the service's. One native policy instead of the
 * SDK's compatibility layer for legacy factories, which converted every request and response twice
 * (~10 % of the worker's CPU per blob).
 */
export function decoratorPolicy(decorators: RequestDecorator[]): PipelinePolicy {
  return {
    name: 'azbackupRequestDecorators',
    sendRequest(request, next) {
      let send = next;
      for (let i = decorators.length - 1; i >= 0; i--) {
        const decorate = decorators[i]!;
        const inner = send;
        send = (r) => decorate(r, inner);
      }
      return send(request);
    },
  };
}

/**
 * Adds the decorators to the pipeline every client built from `pipeline` shares. The storage SDK builds
 * that core pipeline when the first client is constructed and keeps it on the pipeline object; a missing
 * one (an SDK change) fails here, loudly, rather than sending requests undecorated.
 */
export function addDecorators(pipeline: Pipeline, decorators: RequestDecorator[]): void {
  if (decorators.length === 0) return;
  const core = (pipeline as unknown as { _corePipeline?: CorePipeline })._corePipeline;
  if (!core) throw new Error('the storage SDK built no core pipeline: request decorators cannot be added');
  core.addPolicy(decoratorPolicy(decorators), { afterPhase: 'Retry' });
}

/** Sends every request through the account's own agent (keep-alive, its socket limit). */
export function agentDecorator(agent: Agent): RequestDecorator {
  return (request, next) => {
    request.agent ??= agent;
    return next(request);
  };
}

export function rateLimitDecorator(bucket: TokenBucket): RequestDecorator {
  return async (request, next) => {
    await bucket.take(request.abortSignal as AbortSignal | undefined);
    return next(request);
  };
}

/**
 * A per-try deadline for the response to start: a request that hangs (a silent network, a stuck
 * connection) is abandoned after `timeoutInMs` with a RestError coded ETIMEDOUT, which the SDK's retry
 * policy retries, instead of holding a page for hours. The body of a streamed download is not bounded by
 * it: readers resume dropped streams, and activities heartbeat on progress, not on a timer alone.
 */
export function requestTimeoutDecorator(timeoutInMs: number): RequestDecorator {
  return async (request, next) => {
    const outer = request.abortSignal as AbortSignal | undefined;
    const controller = new AbortController();
    const forward = () => controller.abort(outer?.reason);
    if (outer?.aborted) forward();
    outer?.addEventListener('abort', forward, { once: true });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutInMs);
    request.abortSignal = controller.signal;
    try {
      return await next(request);
    } catch (err) {
      if (!timedOut) throw err;
      throw new RestError(`no response within ${timeoutInMs} ms (ETIMEDOUT): ${request.method} request`, {
        code: 'ETIMEDOUT',
        request,
      });
    } finally {
      // The retry policy sends this same request object again: its next try starts from the caller's signal.
      request.abortSignal = outer;
      clearTimeout(timer);
      outer?.removeEventListener('abort', forward);
    }
  };
}
