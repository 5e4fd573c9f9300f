// Service answers a test makes up: an error response the SDK deserializes like one from Azure, for
// decorators that stand in for a revoked credential, a busy account, or a request that never answers.
import { createHttpHeaders, type PipelineRequest, type PipelineResponse } from '@azure/core-rest-pipeline';

export function errorAnswer(request: PipelineRequest, status: number, code: string, message: string): PipelineResponse {
  const bodyAsText = `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;
  const headers = createHttpHeaders({ 'content-type': 'application/xml', 'x-ms-error-code': code });
  return { request, status, headers, bodyAsText };
}

/** Waits until the request is aborted (by its per-try timeout or the caller), then rejects like an abort. */
export function neverAnswer(request: PipelineRequest): Promise<PipelineResponse> {
  return new Promise((_, reject) => {
    const signal = request.abortSignal as AbortSignal | undefined;
    const fail = () => reject(Object.assign(new Error('The operation was aborted.'), { name: 'AbortError' }));
    if (signal?.aborted) fail();
    signal?.addEventListener('abort', fail, { once: true });
  });
}
