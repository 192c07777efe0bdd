import { Octokit } from '@octokit/rest';

export interface GithubClientOptions {
  token: string | undefined;
  apiUrl: string;
  /** Per request; a hung connection must not hold an activity slot until its start-to-close timeout. */
  requestTimeoutMs?: number;
}

export type GithubClient = Octokit;

/**
 * Octokit pointed at `GITHUB_API_URL`. Retries are left to Temporal's retry policy (see errors.ts), so
 * a failed post shows up in the UI as an activity attempt with its reason.
 */
export function createGithubClient(options: GithubClientOptions): GithubClient {
  const timeoutMs = options.requestTimeoutMs ?? 30_000;
  return new Octokit({
    ...(options.token === undefined ? {} : { auth: options.token }),
    baseUrl: options.apiUrl.replace(/\/+$/, ''),
    userAgent: 'agent-bot',
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    request: {
      fetch: (url: string | URL, init?: RequestInit) => fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) }),
    },
  });
}
