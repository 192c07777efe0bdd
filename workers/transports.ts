import fs from 'node:fs';
import path from 'node:path';
import { jiraSettings } from '../config/jira';
import type { Config } from '../config/load';
import { sentrySettings } from '../config/sentry';
import { createDiscordClient } from '../integrations/discord/client';
import { createDiscordTransport, DISCORD_BOT_WINDOWS } from '../integrations/discord/transport';
import { createSlackClient } from '../integrations/slack/client';
import { createSlackTransport, SLACK_WRITE_WINDOWS } from '../integrations/slack/transport';
import { createApiTransport } from '../integrations/api/transport';
import { createGithubClient, type GithubClient } from '../integrations/github/client';
import { createGithubTransport } from '../integrations/github/transport';
import { createJiraClient } from '../integrations/jira/client';
import { createJiraTransport, JIRA_WRITE_WINDOWS } from '../integrations/jira/transport';
import { createSentryClient } from '../integrations/sentry/client';
import { createSentryTransport, SENTRY_WRITE_WINDOWS } from '../integrations/sentry/transport';
import { ThreadReaders } from '../integrations/thread-reader';
import { Transports, type ThreadTransport } from '../integrations/transport';
import { createGithubReader } from '../integrations/github/reader';
import { WriteBudgets } from '../integrations/write-budget';

/** The provider clients and transports of one worker process, built once from its config. */
export interface ProviderKit {
  transports: Transports;
  /** What the agent's thread tools read, built on the same clients as the transports. */
  readers: ThreadReaders;
  github: GithubClient;
  /** One per credential, shared by every task of the process. */
  budgets: Record<string, WriteBudgets>;
}

/**
 * Least time between two in-progress edits of a GitHub check run (its summary is a side view): thirty
 * progress intervals, five minutes at the default.
 */
const CHECK_RUN_EDITS_EVERY = 30;

/**
 * Every provider's transport for this process. GitHub and the HTTP API are always there (GitHub's token
 * may be unset: then only public reads work); the other providers join when their settings are present.
 */
export function createProviderKit(config: Config): ProviderKit {
  const github = createGithubClient({ token: config.GITHUB_TOKEN, apiUrl: config.GITHUB_API_URL, requestTimeoutMs: config.PROVIDER_REQUEST_TIMEOUT });
  const githubBudgets = new WriteBudgets({ windows: config.GITHUB_WRITE_LIMITS, urgentReserve: 0.25, maxWaitMs: 30_000 });
  const transports: ThreadTransport[] = [
    createGithubTransport({ client: github, budgets: githubBudgets, checkRuns: config.GITHUB_CHECK_RUNS, checkRunName: 'agent-bot', checkRunEditIntervalMs: CHECK_RUN_EDITS_EVERY * config.PROGRESS_COMMENT_INTERVAL }),
    // Always there, like the gateway's API routes: AGENT_BOT_API_TOKEN only signs callbacks.
    createApiTransport({ token: config.AGENT_BOT_API_TOKEN }),
  ];
  const budgets: Record<string, WriteBudgets> = { github: githubBudgets };
  if (config.SLACK_BOT_TOKEN !== undefined) {
    budgets['slack'] = new WriteBudgets({ windows: SLACK_WRITE_WINDOWS, urgentReserve: 0.25, maxWaitMs: 30_000 });
    const client = createSlackClient({ token: config.SLACK_BOT_TOKEN, apiUrl: config.SLACK_API_URL, requestTimeoutMs: config.PROVIDER_REQUEST_TIMEOUT });
    transports.push(createSlackTransport({ client, budgets: budgets['slack'], allowedUsers: config.SLACK_ALLOWED_USERS, readAnswer: answerReader(config.AGENT_BOT_DATA_DIR) }));
  }
  if (config.DISCORD_APPLICATION_ID !== undefined) {
    // Interaction responses need only the application id; threads and later messages need DISCORD_BOT_TOKEN.
    budgets['discord'] = new WriteBudgets({ windows: DISCORD_BOT_WINDOWS, urgentReserve: 0.25, maxWaitMs: 30_000 });
    const client = createDiscordClient({ apiUrl: config.DISCORD_API_URL, botToken: config.DISCORD_BOT_TOKEN });
    transports.push(createDiscordTransport({ client, budgets: budgets['discord'], allowedRoles: config.DISCORD_ALLOWED_ROLES }));
  }
  const jira = jiraSettings(config);
  if (jira !== undefined) {
    budgets['jira'] = new WriteBudgets({ windows: JIRA_WRITE_WINDOWS, urgentReserve: 0.25, maxWaitMs: 30_000 });
    const client = createJiraClient({ baseUrl: jira.baseUrl, email: jira.email, apiToken: jira.apiToken, requestTimeoutMs: config.PROVIDER_REQUEST_TIMEOUT });
    transports.push(createJiraTransport({ client, site: jira.site, budgets: budgets['jira'], accountId: jira.accountId, mention: config.AGENT_BOT_MENTION }));
  }
  const sentry = sentrySettings(config);
  if (sentry !== undefined) {
    budgets['sentry'] = new WriteBudgets({ windows: SENTRY_WRITE_WINDOWS, urgentReserve: 0.25, maxWaitMs: 30_000 });
    const client = createSentryClient({ apiUrl: sentry.apiUrl, token: sentry.token, org: sentry.org, requestTimeoutMs: config.PROVIDER_REQUEST_TIMEOUT });
    transports.push(createSentryTransport({ client, org: sentry.org, budgets: budgets['sentry'] }));
  }
  return { transports: new Transports(transports), readers: new ThreadReaders([createGithubReader(github)]), github, budgets };

}

/** Reads a task's whole answer (`logs/tasks/<id>/answer.md`, relative to the data dir) when this worker has it. */
function answerReader(dataDir: string): (answerPath: string) => string | undefined {
  const root = path.resolve(dataDir);
  return (answerPath) => {
    const file = path.resolve(root, answerPath);
    if (!file.startsWith(`${root}${path.sep}`)) return undefined;
    try {
      return fs.readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
  };
}
