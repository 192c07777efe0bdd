import { LogLevel, WebClient } from '@slack/web-api';

export interface SlackClientOptions {
  token: string | undefined;
  /** `https://slack.com/api/` or a stand-in's, with the trailing slash `@slack/web-api` expects. */
  apiUrl: string;
  /** Per request (ms): a hung connection must not hold an activity slot until its timeout. */
  requestTimeoutMs?: number;
}

export type SlackClient = WebClient;

/**
 * `@slack/web-api`'s WebClient, pointed at `SLACK_API_URL`. Its own retries are off and a 429 is thrown
 * (`rejectRateLimitedCalls`) rather than waited for: Temporal's retry policy retries, visibly in the UI,
 * and the process's write budget pauses every later write after a 429 (see errors.ts).
 */
export function createSlackClient(options: SlackClientOptions): SlackClient {
  return new WebClient(options.token, {
    slackApiUrl: options.apiUrl.replace(/\/?$/, '/'),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: options.requestTimeoutMs ?? 30_000,
    logLevel: LogLevel.ERROR,
    logger: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, setLevel: () => {}, getLevel: () => LogLevel.ERROR, setName: () => {} },
  });
}
