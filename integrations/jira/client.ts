import { Version3Client } from 'jira.js';

export interface JiraClientOptions {
  /** `https://acme.atlassian.net` */
  baseUrl: string;
  email: string;
  apiToken: string;
  /** Per request (ms); a hung connection must not hold an activity slot until its start-to-close timeout. */
  requestTimeoutMs?: number;
}

export type JiraClient = Version3Client;

/**
 * jira.js 5.x (the last major that runs on Node 20; v6 needs Node 22) against Jira Cloud REST v3, with an API
 * token over Basic auth (https://developer.atlassian.com/cloud/jira/platform/basic-auth-for-rest-apis/).
 * jira.js sends each request once (axios, no retry): retries are left to Temporal's retry policy, so a
 * failed post shows up in the UI as an activity attempt with its reason (see errors.ts).
 */
export function createJiraClient(options: JiraClientOptions): JiraClient {
  return new Version3Client({
    host: options.baseUrl,
    authentication: { basic: { email: options.email, apiToken: options.apiToken } },
    baseRequestConfig: { timeout: options.requestTimeoutMs ?? 30_000 },
  });
}
