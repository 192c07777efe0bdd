import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../../contracts/errors';
import { retryDelayMs } from '../retry-delay';

/**
 * An HTTP error answer of Sentry's web API, as the client throws it: the status, Sentry's `detail` (or the
 * field errors of a 400, e.g. `{"text": ["This field is required."]}`), and the headers (`Retry-After`,
 * `X-Sentry-Rate-Limit-Reset`).
 */
export class SentryApiError extends Error {
  override name = 'SentryApiError';
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly headers: Headers,
    what: string,
  ) {
    super(`${what}: Sentry answered HTTP ${status}${detail === '' ? '' : `: ${detail}`}`);
  }
}

/** Sentry's answer to a note posted twice within an hour by the same user (group_notes.py). */
export const DUPLICATE_COMMENT = 'You have already posted that comment.';

/** Whether an error is Sentry refusing a comment because the very same text is already there. */
export function isDuplicateComment(error: unknown): boolean {
  return error instanceof SentryApiError && error.status === 400 && error.detail === DUPLICATE_COMMENT;
}

const REFUSALS: Readonly<Record<number, string>> = {
  401: ErrorType.ProviderUnauthorized,
  403: ErrorType.ProviderForbidden,
  404: ErrorType.ProviderNotFound,
};

/**
 * Turns what the Sentry client threw into what Temporal should do with it, in one place: 429 retries after the
 * time Sentry names (`Retry-After`, else `X-Sentry-Rate-Limit-Reset`); 401/403/404 fail at once as
 * `ProviderUnauthorized`, `ProviderForbidden`, `ProviderNotFound`; other 4xx fail at once as `ProviderRejected`;
 * 5xx, timeouts, the network and unreadable answers retry with the activity's backoff (`ProviderUnavailable`).
 */
export function classifySentryError(error: unknown, what: string, now = Date.now()): ApplicationFailure {
  if (!(error instanceof SentryApiError)) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return ApplicationFailure.retryable(`${what}: Sentry did not answer usefully (${message.slice(0, 300)})`, ErrorType.ProviderUnavailable);
  }
  const message = `${what}: ${error.message.slice(error.message.indexOf('Sentry answered'))}`;
  const delay = retryDelayMs(error.headers, now);
  if (error.status === 429) return ApplicationFailure.create({ message, type: ErrorType.ProviderRateLimited, ...(delay === undefined ? {} : { nextRetryDelay: delay }) });
  const refusal = REFUSALS[error.status];
  if (refusal !== undefined) return ApplicationFailure.nonRetryable(message, refusal);
  if (error.status >= 400 && error.status < 500 && error.status !== 408) return ApplicationFailure.nonRetryable(message, ErrorType.ProviderRejected);
  return ApplicationFailure.create({ message, type: ErrorType.ProviderUnavailable, ...(delay === undefined ? {} : { nextRetryDelay: delay }) });
}
