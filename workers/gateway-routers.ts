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
import { createSlackClient } from '../integrations/slack/client';
import { createSlackIdentity } from '../integrations/slack/identity';
import type { SlackSettings } from '../integrations/slack/route-event';
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
  return [
    createGithubWebhookRouter({ secrets: config.GITHUB_WEBHOOK_SECRET, ...githubRoutingPolicy(config), dispatcher, log }),
    slackRouter(deps),
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
 * `/webhooks/slack/...`: who agent-bot is comes from SLACK_BOT_USER_ID, or else from `auth.test`. With a
 * token, `auth.test` is asked at start (in the background: a failure is a warning, not a refusal to start)
 * and its answer kept.
 */
function slackRouter({ config, dispatcher, log }: RouterDeps): Router {
  // A slash command must be answered within Slack's 3 s: the gateway's own calls are given 2 s each.
  const client = config.SLACK_BOT_TOKEN === undefined ? undefined : createSlackClient({ token: config.SLACK_BOT_TOKEN, apiUrl: config.SLACK_API_URL, requestTimeoutMs: 2_000 });
  if (config.SLACK_SIGNING_SECRET.length > 0 && client === undefined && config.SLACK_BOT_USER_ID === undefined) {
    log('SLACK_SIGNING_SECRET is set but neither SLACK_BOT_TOKEN nor SLACK_BOT_USER_ID: Slack events get 503 until one is set (the URL check and buttons work without)', {}, 'warn');
  }
  const identity = createSlackIdentity({ client, botUserId: config.SLACK_BOT_USER_ID, log });
  void identity.check();
  return createSlackRouter({ secrets: config.SLACK_SIGNING_SECRET, settings: slackSettings(config), identity: () => identity.current(), dispatcher, log, ...(client === undefined ? {} : { client }) });
}

/** How agent-bot reads Slack requests, from the config. */
export function slackSettings(config: Config): SlackSettings {
  return { ...commandPolicy(config), allowedUsers: config.SLACK_ALLOWED_USERS, channelRepos: config.SLACK_CHANNEL_REPOS };
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
