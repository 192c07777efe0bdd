import type Router from '@koa/router';
import type { Config } from '../config/load';
import type { Dispatcher } from '../gateway/dispatcher';
import { createGithubWebhookRouter } from '../gateway/github/router';
import type { RoutingPolicy } from '../integrations/github/route-event';
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
  return [createGithubWebhookRouter({ secrets: config.GITHUB_WEBHOOK_SECRET, ...githubRoutingPolicy(config), dispatcher, log })];
}
