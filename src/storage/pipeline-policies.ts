// Request-level decorators for storage clients: every request to an account first takes a token from
// that account's bucket (a cap across all activities of the worker); tests add fault injectors the same way.
import {
  RestError,
  type HttpOperationResponse,
  type RequestPolicy,
  type RequestPolicyFactory,
  type RequestPolicyOptions,
  type WebResource,
} from '@azure/storage-blob';
import type { TokenBucket } from './token-bucket';

/** What a decorator sees: the request, and a way to send it on. */
export type RequestDecorator = (
  request: WebResource,
  next: (request: WebResource) => Promise<HttpOperationResponse>,
) => Promise<HttpOperationResponse>;

/**
 * @azure/storage-blob places custom factories *after its retry policy* (next to the wire, below response
 * deserialization) only when the factory's class is named `InjectorPolicyFactory`. There, every attempt
 * takes a rate-limit token (as the account counts them) and a decorator's own response is handled like
 * the service's.
 */
class InjectorPolicyFactory implements RequestPolicyFactory {
  constructor(private readonly decorate: RequestDecorator) {}

  create(nextPolicy: RequestPolicy, _options: RequestPolicyOptions): RequestPolicy {
    return { sendRequest: (request) => this.decorate(request, (r) => nextPolicy.sendRequest(r)) };
  }
}

export function decoratorFactory(decorate: RequestDecorator): RequestPolicyFactory {
  return new InjectorPolicyFactory(decorate);
}

export function rateLimitDecorator(bucket: TokenBucket): RequestDecorator {
  return async (request, next) => {
    await bucket.take(request.abortSignal as AbortSignal | undefined);
    return next(request);
  };
}

/**
 * A per-try deadline for the response to start: a request that hangs (a silent network, a stuck
 * connection) is abandoned after `timeoutInMs` with ETIMEDOUT as a RestError (the SDK's retry policy
 * retries only RestErrors; a plain Error would fail the whole activity attempt on one slow request),
 * instead of holding a page for hours. The body of a streamed download is not bounded by it: readers
 * resume dropped streams, and activities heartbeat on progress, not on a timer alone.
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
      });
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener('abort', forward);
      // The retry policy sends this same request object again: it must carry the caller's signal, not
      // this attempt's (aborted) one.
      request.abortSignal = outer;
    }
  };
}
