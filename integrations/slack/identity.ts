import type { SlackClient } from './client';
import { classifySlackError } from './errors';

/** Who agent-bot is on Slack. */
export interface SlackIdentity {
  /** agent-bot's own user id (`U…`): its mention starts a request; its messages never do. */
  botUserId: string;
  /** `https://acme.slack.com/` as `auth.test` answers it, for links to threads; absent until known. */
  workspaceUrl?: string;
}

/**
 * Why agent-bot cannot tell who it is on Slack. `code` is Slack's error code (`invalid_auth`,
 * `token_revoked`, `ratelimited`, ...), `http_<status>` or `request_error` when Slack could not be asked,
 * or `not_configured`. `transient` when asking again may work: Slack should retry the request then.
 */
export class SlackIdentityError extends Error {
  override readonly name = 'SlackIdentityError';

  constructor(
    message: string,
    readonly code: string,
    readonly transient: boolean,
  ) {
    super(message);
  }
}

export interface SlackIdentityOptions {
  /** The gateway's Web API client; undefined without SLACK_BOT_TOKEN. */
  client: SlackClient | undefined;
  /** SLACK_BOT_USER_ID: when set, it is agent-bot's id, and `auth.test` only adds the workspace URL. */
  botUserId: string | undefined;
  /** Where a failure of `auth.test` is told, once per Slack error code. */
  log: (message: string, meta: Record<string, unknown>, level?: 'info' | 'warn' | 'error') => void;
  /** The clock that decides when a failed `auth.test` is asked again (ms); `Date.now` by default. */
  now?: () => number;
}

/** Who agent-bot is on Slack, asked of `auth.test` when needed and kept once Slack has answered. */
export interface SlackIdentitySource {
  /**
   * Who agent-bot is now. With SLACK_BOT_USER_ID it resolves at once, with the workspace URL when
   * `auth.test` has answered it (the call is made in the background, never waited for); without, it
   * waits for `auth.test`.
   * @throws SlackIdentityError when there is no SLACK_BOT_USER_ID and `auth.test` cannot tell.
   */
  current(): Promise<SlackIdentity>;
  /** Asks `auth.test` now (at start-up); never rejects: a failure is logged as a warning, once. */
  check(): Promise<void>;
}

/** A refused token stays refused until the config changes: asked again after 5 minutes; anything else after 10 s. */
const ASK_AGAIN_AFTER_REFUSAL_MS = 5 * 60_000;
const ASK_AGAIN_AFTER_FAILURE_MS = 10_000;

/**
 * The identity source of the gateway. A failure of `auth.test` is logged once per Slack error code (and
 * once more when Slack answers again), however many requests meet it; it is kept for a while rather than
 * asked again by every request.
 */
export function createSlackIdentity(options: SlackIdentityOptions): SlackIdentitySource {
  const { client, botUserId: configured, log } = options;
  const now = options.now ?? Date.now;
  let answered: SlackIdentity | undefined;
  let failed: { error: SlackIdentityError; at: number } | undefined;
  let asking: Promise<SlackIdentity> | undefined;
  let loggedCode: string | undefined;

  const mayAskAgain = (): boolean => failed === undefined || now() - failed.at >= (failed.error.transient ? ASK_AGAIN_AFTER_FAILURE_MS : ASK_AGAIN_AFTER_REFUSAL_MS);

  const remember = (answer: { user_id?: string; url?: string }): SlackIdentity => {
    const botUserId = configured ?? answer.user_id;
    if (botUserId === undefined) throw new SlackIdentityError('Slack: auth.test answered no user_id; set SLACK_BOT_USER_ID', 'no_user_id', false);
    if (configured !== undefined && answer.user_id !== undefined && answer.user_id !== configured) {
      log("Slack: SLACK_BOT_USER_ID is not the token's bot user; mentions of that bot will not start requests", { SLACK_BOT_USER_ID: configured, tokenUserId: answer.user_id }, 'warn');
    }
    if (loggedCode !== undefined) log('Slack: auth.test answers again', { botUserId }, 'info');
    answered = { botUserId, ...(answer.url === undefined ? {} : { workspaceUrl: answer.url }) };
    failed = undefined;
    loggedCode = undefined;
    return answered;
  };

  const fail = (error: unknown): never => {
    const identityError = error instanceof SlackIdentityError ? error : explain(error, configured !== undefined);
    failed = { error: identityError, at: now() };
    if (loggedCode !== identityError.code) {
      loggedCode = identityError.code;
      const refused = configured === undefined;
      log(refused ? 'Slack: agent-bot cannot tell who it is; Slack requests get 503 until it can' : 'Slack: auth.test failed; links to threads use app.slack.com meanwhile', { slackError: identityError.code, detail: identityError.message }, refused && !identityError.transient ? 'error' : 'warn');
    }
    throw identityError;
  };

  const ask = (slack: SlackClient): Promise<SlackIdentity> => {
    asking ??= slack.auth
      .test()
      .then(remember)
      .catch(fail)
      .finally(() => {
        asking = undefined;
      });
    return asking;
  };

  return {
    async current() {
      if (configured !== undefined) {
        if (client !== undefined && answered === undefined && asking === undefined && mayAskAgain()) ask(client).catch(() => undefined);
        return { botUserId: configured, ...(answered?.workspaceUrl === undefined ? {} : { workspaceUrl: answered.workspaceUrl }) };
      }
      if (client === undefined) throw new SlackIdentityError('agent-bot does not know its Slack user id: set SLACK_BOT_TOKEN (the Bot User OAuth Token, xoxb-…) or SLACK_BOT_USER_ID, then restart the gateway', 'not_configured', false);
      if (answered !== undefined) return answered;
      if (failed !== undefined && asking === undefined && !mayAskAgain()) throw failed.error;
      return ask(client);
    },
    async check() {
      if (client === undefined) return;
      const identity = await ask(client).catch(() => undefined);
      if (identity !== undefined) log('Slack: auth.test answered', { botUserId: identity.botUserId, workspaceUrl: identity.workspaceUrl }, 'info');
    },
  };
}

/** What a failed `auth.test` means for the person who runs agent-bot, and for Slack's retries. */
function explain(error: unknown, hasUserId: boolean): SlackIdentityError {
  const failure = classifySlackError(error, 'auth.test');
  const code = slackCode(error);
  const withoutCall = hasUserId ? '' : ', or SLACK_BOT_USER_ID to take requests without it';
  if (failure.nonRetryable) return new SlackIdentityError(`Slack refused SLACK_BOT_TOKEN (auth.test answered ${code}): set a valid bot token (xoxb-…)${withoutCall}, then restart the gateway`, code, false);
  return new SlackIdentityError(`agent-bot could not ask Slack who it is (${failure.message})${hasUserId ? '' : '; SLACK_BOT_USER_ID avoids the call'}`, code, true);
}

/** Slack's error code, or what kept Slack from answering one. */
function slackCode(error: unknown): string {
  const shape = (typeof error === 'object' && error !== null ? error : {}) as { code?: unknown; data?: { error?: unknown }; statusCode?: unknown };
  if (shape.code === 'slack_webapi_platform_error' && typeof shape.data?.error === 'string') return shape.data.error;
  if (shape.code === 'slack_webapi_rate_limited_error') return 'ratelimited';
  if (typeof shape.statusCode === 'number') return `http_${shape.statusCode}`;
  return 'request_error';
}
