import type Router from '@koa/router';
import { jiraSettings } from '../config/jira';
import type { Config } from '../config/load';
import { sentrySettings } from '../config/sentry';
import type { Dispatcher } from '../gateway/dispatcher';
import { createGithubWebhookRouter } from '../gateway/github/router';
import { createJiraWebhookRouter } from '../gateway/jira/router';
import { createSentryWebhookRouter } from '../gateway/sentry/router';
import { createDiscordRouter } from '../gateway/discord/router';
import { createSlackRouter } from '../gateway/slack/router';
import { createDiscordClient } from '../integrations/discord/client';
import type { DiscordRoutingPolicy } from '../integrations/discord/route-interaction';
import { discordPublicKey } from '../integrations/discord/signature';
import type { RoutingPolicy } from '../integrations/github/route-event';
import { createSlackClient, type SlackClient } from '../integrations/slack/client';
import type { SlackRoutingPolicy } from '../integrations/slack/route-event';
import type { CommandPolicy } from '../integrations/thread-command';
import type { Logger } from './logger';

/** How any provider reads a request: the mention, the commands and the default command. */
export function commandPolicy(config: Config): CommandPolicy {
  return { mention: config.AGENT_BOT_MENTION, commands: config.AGENT_COMMANDS, defaultCommand: config.AGENT_DEFAULT_COMMAND };
}

/** Who may command agent-bot and how, from the config; bench:ack routes its bare calls with it too. */
export function githubRoutingPolicy(config: Config): RoutingPolicy {
  return { ...commandPolicy(config), allowedUsers: config.GITHUB_ALLOWED_USERS, botLogin: config.GITHUB_BOT_LOGIN };
}

export interface RouterDeps {
  config: Config;
  dispatcher: Dispatcher;
  log: Logger;
}

/**
 * The gateway's router of every provider, from the config. Each is mounted whether or not its provider is
 * configured: an unconfigured one refuses every delivery with 401 (and says why in the log at start).
 */
export function providerRouters(deps: RouterDeps): Router[] {
  const { config, dispatcher, log } = deps;
  if (config.GITHUB_WEBHOOK_SECRET.length === 0) log('GITHUB_WEBHOOK_SECRET is not set: /webhooks/github refuses every delivery with 401');
  const slackClient = config.SLACK_BOT_TOKEN === undefined ? undefined : createSlackClient({ token: config.SLACK_BOT_TOKEN, apiUrl: config.SLACK_API_URL });
  if (config.SLACK_SIGNING_SECRET.length > 0 && slackClient === undefined && config.SLACK_BOT_USER_ID === undefined) {
    log('SLACK_SIGNING_SECRET is set but neither SLACK_BOT_TOKEN nor SLACK_BOT_USER_ID: Slack requests will fail until one is');
  }
  return [
    createGithubWebhookRouter({ secrets: config.GITHUB_WEBHOOK_SECRET, ...githubRoutingPolicy(config), dispatcher, log }),
    createSlackRouter({ secrets: config.SLACK_SIGNING_SECRET, policy: slackRoutingPolicy(config, slackClient), dispatcher, log, ...(slackClient === undefined ? {} : { client: slackClient }) }),
    discordRouter(deps),
    jiraRouter(deps),
    sentryRouter(deps),
  ];
}

/** `/webhooks/discord`: refuses everything with 401 until DISCORD_PUBLIC_KEY and DISCORD_APPLICATION_ID are both set. */
function discordRouter({ config, dispatcher, log }: RouterDeps): Router {
  if (config.DISCORD_PUBLIC_KEY !== undefined && config.DISCORD_APPLICATION_ID === undefined) log('DISCORD_PUBLIC_KEY is set but DISCORD_APPLICATION_ID is not: /webhooks/discord refuses every request with 401');
  const policy: DiscordRoutingPolicy | undefined =
    config.DISCORD_APPLICATION_ID === undefined
      ? undefined
      : { ...commandPolicy(config), mention: '/agent', applicationId: config.DISCORD_APPLICATION_ID, allowedRoles: config.DISCORD_ALLOWED_ROLES, channelRepos: config.DISCORD_CHANNEL_REPOS, tokenTtlMs: config.DISCORD_INTERACTION_TOKEN_TTL };
  const client = createDiscordClient({ apiUrl: config.DISCORD_API_URL, botToken: config.DISCORD_BOT_TOKEN, requestTimeoutMs: 2_000 });
  return createDiscordRouter({ publicKey: config.DISCORD_PUBLIC_KEY === undefined ? undefined : discordPublicKey(config.DISCORD_PUBLIC_KEY), policy, dispatcher, client, log });
}

/**
 * Who agent-bot is on Slack and how it reads requests: SLACK_BOT_USER_ID, or else what `auth.test`
 * answers, asked on first use and then kept (a failure is asked again next time, not kept).
 */
export function slackRoutingPolicy(config: Config, client: SlackClient | undefined): () => Promise<SlackRoutingPolicy> {
  let identity: Promise<{ botUserId: string; workspaceUrl?: string }> | undefined;
  const resolve = async (): Promise<{ botUserId: string; workspaceUrl?: string }> => {
    if (client === undefined) {
      if (config.SLACK_BOT_USER_ID === undefined) throw new Error('Slack: set SLACK_BOT_TOKEN (or at least SLACK_BOT_USER_ID) to take requests');
      return { botUserId: config.SLACK_BOT_USER_ID };
    }
    const answer = await client.auth.test();
    const botUserId = config.SLACK_BOT_USER_ID ?? answer.user_id;
    if (botUserId === undefined) throw new Error('Slack: auth.test answered no user_id; set SLACK_BOT_USER_ID');
    return { botUserId, ...(answer.url === undefined ? {} : { workspaceUrl: answer.url }) };
  };
  return async () => {
    identity ??= resolve().catch((error: unknown) => {
      identity = undefined;
      throw error;
    });
    const { botUserId, workspaceUrl } = await identity;
    return { ...commandPolicy(config), botUserId, allowedUsers: config.SLACK_ALLOWED_USERS, channelRepos: config.SLACK_CHANNEL_REPOS, ...(workspaceUrl === undefined ? {} : { workspaceUrl }) };
  };
}

/** `/webhooks/jira`: commands from Jira Cloud comments and labelled issues. */
function jiraRouter({ config, dispatcher, log }: RouterDeps): Router {
  const jira = jiraSettings(config);
  if (jira === undefined || jira.webhookSecrets.length === 0) log('Jira is not configured (JIRA_WEBHOOK_SECRET, JIRA_BASE_URL): /webhooks/jira refuses every delivery with 401');
  const policy = jira && { ...commandPolicy(config), site: jira.site, baseUrl: jira.baseUrl, projectRepos: jira.projectRepos, accountId: jira.accountId, triggerLabel: jira.triggerLabel };
  return createJiraWebhookRouter({ secrets: jira?.webhookSecrets ?? [], policy, dispatcher, log });
}

/** `/webhooks/sentry`: commands from Sentry comments, and new issues or alerts when enabled. */
function sentryRouter({ config, dispatcher, log }: RouterDeps): Router {
  const sentry = sentrySettings(config);
  if (sentry === undefined || sentry.clientSecrets.length === 0) log('Sentry is not configured (SENTRY_CLIENT_SECRET, SENTRY_ORG): /webhooks/sentry refuses every delivery with 401');
  const policy = sentry && { ...commandPolicy(config), org: sentry.org, webUrl: sentry.webUrl, projectRepos: sentry.projectRepos, triggers: sentry.triggers };
  return createSentryWebhookRouter({ secrets: sentry?.clientSecrets ?? [], policy, dispatcher, log });
}
