import assert from 'node:assert/strict';
import { ApplicationFailure, type Duration } from '@temporalio/common';
import ms from 'ms';
import { ErrorType } from '../../contracts/errors';
import { classifyGithubError } from '../../integrations/github/errors';

/** Shaped like Octokit's RequestError: status, message, response.headers (lower-case names). */
function httpError(status: number, headers: Record<string, string | number> = {}, message = `HTTP ${status}`) {
  return { status, message, response: { headers } };
}

function delayMs(delay: Duration | null | undefined): number | undefined {
  if (delay === null || delay === undefined) return undefined;
  return typeof delay === 'number' ? delay : ms(delay);
}

const NOW = Date.parse('2026-11-21T09:00:00Z');

describe('classifyGithubError', () => {
  const nonRetryable: [status: number, type: string][] = [
    [401, ErrorType.GithubUnauthorized],
    [403, ErrorType.GithubForbidden],
    [404, ErrorType.GithubNotFound],
    [422, ErrorType.GithubUnprocessable],
  ];
  for (const [status, type] of nonRetryable) {
    it(`makes HTTP ${status} a non-retryable ${type}`, () => {
      const failure = classifyGithubError(httpError(status), 'post comment', NOW);
      assert.ok(failure instanceof ApplicationFailure);
      assert.equal(failure.type, type);
      assert.equal(failure.nonRetryable, true);
    });
  }

  for (const status of [500, 502, 503]) {
    it(`makes HTTP ${status} a retryable GithubServerError`, () => {
      const failure = classifyGithubError(httpError(status), 'post comment', NOW);
      assert.equal(failure.type, ErrorType.GithubServerError);
      assert.equal(failure.nonRetryable, false);
    });
  }

  it('names the operation and the status in the message', () => {
    const failure = classifyGithubError(httpError(404, {}, 'Not Found\nmore detail'), 'add reaction', NOW);
    assert.match(failure.message, /add reaction/);
    assert.match(failure.message, /404/);
    assert.match(failure.message, /Not Found/);
    assert.doesNotMatch(failure.message, /more detail/);
  });

  it('retries HTTP 429 after the seconds named by retry-after', () => {
    const failure = classifyGithubError(httpError(429, { 'retry-after': '7' }), 'post comment', NOW);
    assert.equal(failure.type, ErrorType.GithubRateLimited);
    assert.equal(failure.nonRetryable, false);
    assert.equal(delayMs(failure.nextRetryDelay), 7_000);
  });

  it('retries HTTP 429 at the HTTP date named by retry-after', () => {
    const at = new Date(NOW + 90_000).toUTCString();
    const failure = classifyGithubError(httpError(429, { 'retry-after': at }), 'post comment', NOW);
    assert.equal(delayMs(failure.nextRetryDelay), 90_000);
  });

  it('waits at least one second even when retry-after is 0', () => {
    const failure = classifyGithubError(httpError(429, { 'retry-after': '0' }), 'post comment', NOW);
    assert.equal(delayMs(failure.nextRetryDelay), 1_000);
  });

  it('leaves the delay to the retry policy for HTTP 429 without timing headers', () => {
    const failure = classifyGithubError(httpError(429), 'post comment', NOW);
    assert.equal(failure.type, ErrorType.GithubRateLimited);
    assert.equal(delayMs(failure.nextRetryDelay), undefined);
  });

  it('treats HTTP 403 with an exhausted rate limit as rate limited until x-ratelimit-reset, relative to now', () => {
    const resetSeconds = Math.floor(NOW / 1000) + 120;
    const headers = { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(resetSeconds) };
    const failure = classifyGithubError(httpError(403, headers), 'post comment', NOW);
    assert.equal(failure.type, ErrorType.GithubRateLimited);
    assert.equal(failure.nonRetryable, false);
    assert.equal(delayMs(failure.nextRetryDelay), resetSeconds * 1000 - NOW);
  });

  it('computes the reset delay from the now argument, not the clock', () => {
    const resetSeconds = Math.floor(NOW / 1000) + 120;
    const headers = { 'x-ratelimit-remaining': 0, 'x-ratelimit-reset': resetSeconds };
    const later = classifyGithubError(httpError(403, headers), 'post comment', NOW + 60_000);
    assert.equal(delayMs(later.nextRetryDelay), resetSeconds * 1000 - (NOW + 60_000));
  });

  it('keeps HTTP 403 with rate limit remaining a non-retryable GithubForbidden', () => {
    const failure = classifyGithubError(httpError(403, { 'x-ratelimit-remaining': '4999' }), 'post comment', NOW);
    assert.equal(failure.type, ErrorType.GithubForbidden);
    assert.equal(failure.nonRetryable, true);
  });

  it('retries a network error that has no HTTP status', () => {
    const failure = classifyGithubError(new Error('getaddrinfo ENOTFOUND api.github.com'), 'post comment', NOW);
    assert.equal(failure.type, ErrorType.GithubServerError);
    assert.equal(failure.nonRetryable, false);
    assert.match(failure.message, /ENOTFOUND/);
  });

  it('retries a thrown non-Error value, keeping its text', () => {
    const failure = classifyGithubError('socket hang up', 'post comment', NOW);
    assert.equal(failure.nonRetryable, false);
    assert.match(failure.message, /socket hang up/);
  });
});
