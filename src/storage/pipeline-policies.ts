// Request-level decorators for storage clients: every request to an account first takes a token from
// that account's bucket (a cap across all activities of the worker); tests add fault injectors the same way.
import type {
  HttpOperationResponse,
  RequestPolicy,
  RequestPolicyFactory,
  RequestPolicyOptions,
  WebResource,
} from '@azure/storage-blob';
import type { TokenBucket } from './token-bucket';

/** What a decorator sees: the request, and a way to send it on. */
export type RequestDecorator = (
  request: WebResource,
  next: (request: WebResource) => Promise<HttpOperationResponse>,
) => Promise<HttpOperationResponse>;

export function decoratorFactory(decorate: RequestDecorator): RequestPolicyFactory {
  return {
    create(nextPolicy: RequestPolicy, _options: RequestPolicyOptions): RequestPolicy {
      return { sendRequest: (request) => decorate(request, (r) => nextPolicy.sendRequest(r)) };
    },
  };
}

export function rateLimitDecorator(bucket: TokenBucket): RequestDecorator {
  return async (request, next) => {
    await bucket.take(request.abortSignal as AbortSignal | undefined);
    return next(request);
  };
}
