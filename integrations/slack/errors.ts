import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../../contracts/errors';

/** Slack's `error` codes by what they mean for a retry (https://docs.slack.dev/reference/methods). */
const REFUSALS: Record<string, string> = {
  invalid_auth: ErrorType.ProviderUnauthorized,
  not_authed: ErrorType.ProviderUnauthorized,
  account_inactive: ErrorType.ProviderUnauthorized,
  token_revoked: ErrorType.ProviderUnauthorized,
  token_expired: ErrorType.ProviderUnauthorized,
  not_in_channel: ErrorType.ProviderForbidden,
  missing_scope: ErrorType.ProviderForbidden,
  restricted_action: ErrorType.ProviderForbidden,
  is_archived: ErrorType.ProviderForbidden,
  cant_update_message: ErrorType.ProviderForbidden,
  channel_not_found: ErrorType.ProviderNotFound,
  message_not_found: ErrorType.ProviderNotFound,
  thread_not_found: ErrorType.ProviderNotFound,
  user_not_found: ErrorType.ProviderNotFound,
  msg_too_long: ErrorType.ProviderRejected,
  invalid_blocks: ErrorType.ProviderRejected,
  invalid_arguments: ErrorType.ProviderRejected,
  no_text: ErrorType.ProviderRejected,
  invalid_metadata_format: ErrorType.ProviderRejected,
};

interface SlackErrorShape {
  code?: string;
  data?: { error?: string };
  retryAfter?: number;
  statusCode?: number;
  message?: string;
}

/**
 * A `@slack/web-api` error as what Temporal should do with it, in one place: a rate limit retries after
 * the seconds Slack named; a refusal (`invalid_auth`, `channel_not_found`, `not_in_channel`, ...) fails
 * at once with a named type and Slack's code in the message; the rest (5xx, the network) retries.
 * `retryAfterMs` is set for rate limits, so the caller can pause the credential's other writes.
 */
export function classifySlackError(error: unknown, what: string): ApplicationFailure & { retryAfterMs?: number } {
  const shape = (typeof error === 'object' && error !== null ? error : {}) as SlackErrorShape;
  if (shape.code === 'slack_webapi_rate_limited_error') {
    const retryAfterMs = Math.max(1_000, (shape.retryAfter ?? 1) * 1_000);
    const failure = ApplicationFailure.create({ message: `${what}: Slack rate limit (retry after ${retryAfterMs / 1000} s)`, type: ErrorType.ProviderRateLimited, nextRetryDelay: retryAfterMs });
    return Object.assign(failure, { retryAfterMs });
  }
  if (shape.code === 'slack_webapi_platform_error') {
    const code = shape.data?.error ?? 'unknown_error';
    const type = REFUSALS[code];
    if (type !== undefined) return ApplicationFailure.nonRetryable(`${what}: Slack answered ${code}`, type);
    return ApplicationFailure.retryable(`${what}: Slack answered ${code}`, ErrorType.ProviderUnavailable);
  }
  const detail = shape.statusCode === undefined ? (shape.message ?? String(error)) : `HTTP ${shape.statusCode}`;
  return ApplicationFailure.retryable(`${what}: Slack could not be reached (${detail})`, ErrorType.ProviderUnavailable);
}
