import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../../contracts/errors';
import { retryDelayMs, type HeaderSource } from '../retry-delay';

/**
 * What jira.js 5 throws for an HTTP error: an `HttpException` whose `status` is the answer's, whose
 * `response.data` is Jira's body (`{"errorMessages": [...], "errors": {...}}`, or text), and whose `cause`
 * is the AxiosError: the answer's headers (`Retry-After`) are only at `cause.response.headers`.
 * A request that got no answer (refused, reset, timed out) is the bare AxiosError, with a `code`.
 */
interface JiraHttpError {
  status: number;
  response?: { data?: unknown };
  cause?: { response?: { headers?: HeaderSource } };
}

function isHttpError(error: unknown): error is JiraHttpError {
  if (typeof error !== 'object' || error === null) return false;
  const { status, response } = error as { status?: unknown; response?: unknown };
  // A jira.js HttpException built from a plain Error (no answer) has status 500 and no response data.
  return typeof status === 'number' && typeof response === 'object' && response !== null && 'data' in response;
}

const REFUSALS: Readonly<Record<number, string>> = {
  401: ErrorType.ProviderUnauthorized,
  403: ErrorType.ProviderForbidden,
  404: ErrorType.ProviderNotFound,
};

/**
 * Turns what jira.js threw into what Temporal should do with it, in one place: 429 retries after the time
 * Jira names (`Retry-After`, else `X-RateLimit-Reset`); 401/403/404 fail at once as `ProviderUnauthorized`,
 * `ProviderForbidden`, `ProviderNotFound`; other 4xx (400: an invalid or too long body) fail at once as
 * `ProviderRejected`; 5xx, timeouts and the network retry with the activity's backoff (`ProviderUnavailable`).
 * The message names the status and Jira's own error text, never a credential.
 */
export function classifyJiraError(error: unknown, what: string, now = Date.now()): ApplicationFailure {
  if (!isHttpError(error)) {
    const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
    const message = error instanceof Error ? error.message : String(error);
    return ApplicationFailure.retryable(`${what}: Jira did not answer (${typeof code === 'string' ? `${code}: ` : ''}${message})`, ErrorType.ProviderUnavailable);
  }
  const { status } = error;
  const detail = jiraErrorText(error.response?.data);
  const message = `${what}: Jira answered HTTP ${status}${detail === '' ? '' : `: ${detail}`}`;
  const delay = retryDelayMs(error.cause?.response?.headers, now);
  if (status === 429) {
    return ApplicationFailure.create({ message, type: ErrorType.ProviderRateLimited, ...(delay === undefined ? {} : { nextRetryDelay: delay }) });
  }
  const refusal = REFUSALS[status];
  if (refusal !== undefined) return ApplicationFailure.nonRetryable(message, refusal);
  if (status >= 400 && status < 500 && status !== 408) return ApplicationFailure.nonRetryable(message, ErrorType.ProviderRejected);
  return ApplicationFailure.create({ message, type: ErrorType.ProviderUnavailable, ...(delay === undefined ? {} : { nextRetryDelay: delay }) });
}

/** Jira's `errorMessages` and `errors` as one line (at most 300 characters). */
export function jiraErrorText(data: unknown): string {
  if (typeof data === 'string') return data.split('\n')[0]!.slice(0, 300);
  if (typeof data !== 'object' || data === null) return '';
  const { errorMessages, errors } = data as { errorMessages?: unknown; errors?: unknown };
  const messages = Array.isArray(errorMessages) ? errorMessages.map(String) : [];
  const fields = typeof errors === 'object' && errors !== null ? Object.entries(errors).map(([field, text]) => `${field}: ${String(text)}`) : [];
  return [...messages, ...fields].join('; ').slice(0, 300);
}
