// The activity boundary's classification of storage errors: what a retry cannot fix fails for good; a
// busy or unreachable service stays retryable, and the failure says which account and blob answered.
import { createPipelineRequest, RestError } from '@azure/core-rest-pipeline';
import { ApplicationFailure } from '@temporalio/common';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyFailure } from '../../src/activities/failures';

const request = createPipelineRequest({
  url: 'https://backupacct.blob.core.windows.net/azbackup/catalog/run%201.json?sv=2025-01-05&sig=SECRET',
  method: 'PUT',
});

describe('classifyFailure', () => {
  it('keeps a 503 retryable and names the request it answered, never the query string', () => {
    const err = new RestError('The server is busy.\nRequestId:1234', { statusCode: 503, code: 'ServerBusy', request });
    const failure = classifyFailure(err);
    assert.ok(failure instanceof ApplicationFailure);
    assert.equal(failure.nonRetryable, false);
    assert.equal(failure.type, 'RestError');
    assert.equal(
      failure.message,
      '503 ServerBusy at backupacct.blob.core.windows.net/azbackup/catalog/run 1.json: The server is busy.',
    );
    assert.doesNotMatch(`${failure.message}\n${failure.stack}`, /SECRET|sig=/);
  });

  it('names the request of a connection error (no status) too', () => {
    const err = new RestError('read ECONNRESET', { code: 'ECONNRESET', request });
    const failure = classifyFailure(err);
    assert.ok(failure instanceof ApplicationFailure);
    assert.equal(failure.nonRetryable, false);
    assert.match(
      failure.message,
      /^ECONNRESET at backupacct\.blob\.core\.windows\.net\/azbackup\/catalog\/run 1\.json: /,
    );
  });

  it('still fails for good on a refused credential', () => {
    const err = new RestError('Server failed to authenticate the request.', {
      statusCode: 403,
      code: 'AuthenticationFailed',
      request,
    });
    const failure = classifyFailure(err);
    assert.ok(failure instanceof ApplicationFailure);
    assert.equal(failure.nonRetryable, true);
    assert.match(failure.message, /^403 AuthenticationFailed at backupacct/);
  });

  it('passes an error with no request through unchanged', () => {
    const err = new Error('something else');
    assert.equal(classifyFailure(err), err);
  });
});
