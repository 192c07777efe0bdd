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
  WorkspaceRefused: 'WorkspaceRefused',
  WorkspaceFailed: 'WorkspaceFailed',
  GithubUnauthorized: 'GithubUnauthorized',
  GithubForbidden: 'GithubForbidden',
  GithubNotFound: 'GithubNotFound',
  GithubUnprocessable: 'GithubUnprocessable',
  GithubRateLimited: 'GithubRateLimited',
  GithubServerError: 'GithubServerError',
} as const;

export type ErrorTypeName = (typeof ErrorType)[keyof typeof ErrorType];

export const NON_RETRYABLE_GITHUB_ERRORS: readonly ErrorTypeName[] = [
  ErrorType.GithubUnauthorized,
  ErrorType.GithubForbidden,
  ErrorType.GithubNotFound,
  ErrorType.GithubUnprocessable,
];
