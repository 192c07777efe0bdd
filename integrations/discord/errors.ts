import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../../contracts/errors';

/** JSON error codes agent-bot acts on (https://docs.discord.com/developers/topics/opcodes-and-status-codes#json-json-error-codes). */
export const DiscordErrorCode = {
  unknownChannel: 10003,
  unknownMessage: 10008,
  unknownWebhook: 10015,
  unknownInteraction: 10062,
  /** The interaction token expired (15 minutes) or is not one: the conversation goes on with the bot token. */
  invalidWebhookToken: 50027,
  invalidFormBody: 50035,
  /** A thread was already started on this message: it has the message's id, so it is the one we want. */
  threadExists: 160004,
} as const;

/**
 * An answer of the Discord HTTP API other than 2xx. Its message names the status, Discord's code and what
 * Discord said, never the request's URL: webhook URLs carry interaction tokens.
 */
export class DiscordHttpError extends Error {
  override name = 'DiscordHttpError';
  constructor(
    readonly status: number,
    /** Discord's JSON error code, when the body had one (0 and absent both mean none). */
    readonly code: number | undefined,
    readonly detail: string,
    /** 429 only: how long Discord asked us to wait, in ms (`retry_after` of the body, else `Retry-After`). */
    readonly retryAfterMs?: number,
    /** 429 only: the limit is the bot's global one (every route), not this route's. */
    readonly global = false,
  ) {
    super(`HTTP ${status}${code ? ` code ${code}` : ''}: ${detail}`);
  }
}

/** The request never got an answer (refused connection, DNS, timeout); the message names no URL. */
export class DiscordNetworkError extends Error {
  override name = 'DiscordNetworkError';
}

/** This process lacks a setting the call needs (the bot token): no request was made. */
export class DiscordConfigError extends Error {
  override name = 'DiscordConfigError';
}

/** True for Discord's "Invalid Webhook Token" (the interaction token expired). */
export function isExpiredToken(error: unknown): boolean {
  return error instanceof DiscordHttpError && error.code === DiscordErrorCode.invalidWebhookToken;
}

/**
 * A Discord failure as what Temporal should do with it, in one place: 401 → ProviderUnauthorized,
 * 403 → ProviderForbidden, 404 → ProviderNotFound, other 4xx → ProviderRejected (all non-retryable, with
 * Discord's code and words in the message); 429 → ProviderRateLimited, retried after the `retry_after`
 * Discord named (also returned as `retryAfterMs`, so the caller can pause the credential's other writes);
 * 5xx and the network → ProviderUnavailable, retried with backoff.
 */
export function classifyDiscordError(error: unknown, what: string): ApplicationFailure & { retryAfterMs?: number; global?: boolean } {
  if (error instanceof DiscordHttpError) {
    const said = `${what}: Discord answered ${error.status}${error.code ? ` (code ${error.code})` : ''} ${error.detail}`;
    if (error.status === 429) {
      const retryAfterMs = Math.max(250, error.retryAfterMs ?? 1_000);
      const failure = ApplicationFailure.create({ message: `${what}: Discord rate limit${error.global ? ' (global)' : ''}, retry after ${(retryAfterMs / 1000).toFixed(2)} s`, type: ErrorType.ProviderRateLimited, nextRetryDelay: retryAfterMs });
      return Object.assign(failure, { retryAfterMs, global: error.global });
    }
    if (error.status === 401) return ApplicationFailure.nonRetryable(`${said}; check DISCORD_BOT_TOKEN`, ErrorType.ProviderUnauthorized);
    if (error.status === 403) return ApplicationFailure.nonRetryable(`${said}; the bot needs access to the channel (View Channel, Send Messages, Create Public Threads, Send Messages in Threads)`, ErrorType.ProviderForbidden);
    if (error.status === 404) return ApplicationFailure.nonRetryable(said, ErrorType.ProviderNotFound);
    if (error.status >= 400 && error.status < 500) return ApplicationFailure.nonRetryable(said, ErrorType.ProviderRejected);
    return ApplicationFailure.retryable(said, ErrorType.ProviderUnavailable);
  }
  if (error instanceof DiscordConfigError) return ApplicationFailure.nonRetryable(`${what}: ${error.message}`, ErrorType.ProviderUnauthorized);
  const detail = error instanceof DiscordNetworkError ? error.message : error instanceof Error ? error.name : String(error);
  return ApplicationFailure.retryable(`${what}: Discord could not be reached (${detail})`, ErrorType.ProviderUnavailable);
}

/**
 * Discord's "Invalid Form Body" details as one line: `content: Must be 2000 or fewer in length.`
 * (https://docs.discord.com/developers/reference#error-messages).
 */
export function describeFormErrors(errors: unknown, path = ''): string[] {
  if (typeof errors !== 'object' || errors === null) return [];
  const found: string[] = [];
  for (const [key, value] of Object.entries(errors)) {
    if (key === '_errors' && Array.isArray(value)) {
      for (const item of value) {
        const said = (item as { message?: unknown }).message;
        found.push(`${path || '(body)'}: ${typeof said === 'string' ? said : 'invalid'}`);
      }
    } else {
      found.push(...describeFormErrors(value, path === '' ? key : `${path}.${key}`));
    }
  }
  return found;
}
