import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../../contracts/errors';

interface HttpErrorShape {
  status: number;
  message: string;
  response?: { headers?: Record<string, string | number | undefined> };
}

function isHttpError(error: unknown): error is HttpErrorShape {
  return typeof error === 'object' && error !== null && typeof (error as { status?: unknown }).status === 'number';
}

const NON_RETRYABLE: Record<number, string> = {
  401: ErrorType.GithubUnauthorized,
  403: ErrorType.GithubForbidden,
  404: ErrorType.GithubNotFound,
  422: ErrorType.GithubUnprocessable,
};

/**
 * Turns an Octokit error into what Temporal should do with it, in one place:
 * 429 and exhausted rate limits retry after the time GitHub names; 401/403/404/422 fail at once with a
 * named type; 5xx and network errors retry with the activity's backoff.
 */
export function classifyGithubError(error: unknown, what: string, now = Date.now()): ApplicationFailure {
  if (!isHttpError(error)) {
    const message = error instanceof Error ? error.message : String(error);
    return ApplicationFailure.retryable(`${what}: ${message}`, ErrorType.GithubServerError);
  }
  const headers = error.response?.headers ?? {};
  const retryAfterMs = retryDelayFromHeaders(headers, now);
  // A 403 is a rate limit when the primary quota is spent or when GitHub names a wait (secondary limits).
  const rateLimited =
    error.status === 429 ||
    (error.status === 403 && (String(headers['x-ratelimit-remaining']) === '0' || headers['retry-after'] !== undefined));
  if (rateLimited) {
    return ApplicationFailure.create({
      message: `${what}: GitHub rate limit (HTTP ${error.status})`,
      type: ErrorType.GithubRateLimited,
      ...(retryAfterMs === undefined ? {} : { nextRetryDelay: retryAfterMs }),
    });
  }
  const nonRetryableType = NON_RETRYABLE[error.status];
  if (nonRetryableType !== undefined) {
    return ApplicationFailure.nonRetryable(`${what}: GitHub answered HTTP ${error.status}: ${shortMessage(error)}`, nonRetryableType);
  }
  return ApplicationFailure.retryable(`${what}: GitHub answered HTTP ${error.status}`, ErrorType.GithubServerError);
}

function retryDelayFromHeaders(headers: Record<string, string | number | undefined>, now: number): number | undefined {
  const retryAfter = headers['retry-after'];
  if (retryAfter !== undefined) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds) && seconds >= 0) return Math.max(1000, seconds * 1000);
    const date = Date.parse(String(retryAfter));
    if (!Number.isNaN(date)) return Math.max(1000, date - now);
  }
  const reset = headers['x-ratelimit-reset'];
  if (reset !== undefined) {
    const resetMs = Number(reset) * 1000;
    if (Number.isFinite(resetMs)) return Math.max(1000, resetMs - now);
  }
  return undefined;
}

function shortMessage(error: HttpErrorShape): string {
  return error.message.split('\n')[0]?.slice(0, 200) ?? '';
}
