/**
 * `ApplicationFailure.type` values. Errors cross the workflow sandbox, so code branches on these
 * names, never on `instanceof`.
 */
export const ErrorType = {
  AgentCommandNotFound: 'AgentCommandNotFound',
  AgentFailed: 'AgentFailed',
  AgentTimeout: 'AgentTimeout',
  AgentIdle: 'AgentIdle',
  AgentMaxTurns: 'AgentMaxTurns',
  AgentBudgetExceeded: 'AgentBudgetExceeded',
  /**
   * The prompt cannot reach the agent: too long for a command-line argument, and this agent cannot read it
   * on stdin (cursor; a `command` without AGENT_PROMPT_VIA=stdin). A retry would fail the same way.
   */
  AgentPromptTooLong: 'AgentPromptTooLong',
  WorkspaceRefused: 'WorkspaceRefused',
  WorkspaceFailed: 'WorkspaceFailed',
  GithubUnauthorized: 'GithubUnauthorized',
  GithubForbidden: 'GithubForbidden',
  GithubNotFound: 'GithubNotFound',
  GithubUnprocessable: 'GithubUnprocessable',
  GithubRateLimited: 'GithubRateLimited',
  GithubServerError: 'GithubServerError',
  /** Any provider refused our credential (HTTP 401, Slack `invalid_auth`): fix the token, a retry will not help. */
  ProviderUnauthorized: 'ProviderUnauthorized',
  /** The credential may not do this (HTTP 403, Slack `not_in_channel`, `missing_scope`). */
  ProviderForbidden: 'ProviderForbidden',
  /** The thread or message is gone (HTTP 404, Slack `channel_not_found`, `message_not_found`). */
  ProviderNotFound: 'ProviderNotFound',
  /** The provider refused what we sent (HTTP 400/422, Slack `invalid_blocks`, `msg_too_long`). */
  ProviderRejected: 'ProviderRejected',
  /** 429 or a secondary rate limit: retried after the time the provider names. */
  ProviderRateLimited: 'ProviderRateLimited',
  /** 5xx, timeouts, the network: retried with backoff. */
  ProviderUnavailable: 'ProviderUnavailable',
  /** A request names a repository the thread's mapping does not allow. */
  RepositoryRefused: 'RepositoryRefused',
  /** A thread of the HTTP API asks for a callback, but this worker has no AGENT_BOT_API_TOKEN to sign it with. */
  ApiCallbackUnsigned: 'ApiCallbackUnsigned',
} as const;

export type ErrorTypeName = (typeof ErrorType)[keyof typeof ErrorType];

export const NON_RETRYABLE_GITHUB_ERRORS: readonly ErrorTypeName[] = [
  ErrorType.GithubUnauthorized,
  ErrorType.GithubForbidden,
  ErrorType.GithubNotFound,
  ErrorType.GithubUnprocessable,
];

/** Refusals by any provider: posting again would only be refused again. */
export const NON_RETRYABLE_PROVIDER_ERRORS: readonly ErrorTypeName[] = [
  ...NON_RETRYABLE_GITHUB_ERRORS,
  ErrorType.ProviderUnauthorized,
  ErrorType.ProviderForbidden,
  ErrorType.ProviderNotFound,
  ErrorType.ProviderRejected,
];
