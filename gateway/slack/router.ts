import Router from '@koa/router';
import type { Context } from 'koa';
import type { SlackClient } from '../../integrations/slack/client';
import { SlackIdentityError, type SlackIdentity } from '../../integrations/slack/identity';
import { routeSlackAction, routeSlackEvent, parseSlashCommand, routeSlashCommand, slackChallenge, type SlackChannelFacts, type SlackRoutingPolicy, type SlackSettings } from '../../integrations/slack/route-event';
import { verifySlackRequest } from '../../integrations/slack/signature';
import type { RoutedEvent } from '../../integrations/routed-event';
import { actOnEvent, type EventOutcome } from '../act-on-event';
import type { Dispatcher } from '../dispatcher';
import { noteWebhookOutcome } from '../metrics';
import { parseJsonBody, readRawBody } from '../raw-body';

/** Slack gives up on a request after 3 s and retries it: we answer well before. */
const SLACK_ACK_MS = 2_500;
/** Slack bodies are small; anything larger is not Slack. */
const MAX_SLACK_BODY_BYTES = 1024 * 1024;

export interface SlackRouterOptions {
  /** SLACK_SIGNING_SECRET (two during a rotation); empty: every request is refused with 401. */
  secrets: readonly string[];
  /** How agent-bot reads requests (the config): mention, commands, allowed users, channel mapping. */
  settings: SlackSettings;
  /**
   * Who agent-bot is: SLACK_BOT_USER_ID, or what `auth.test` answers (see integrations/slack/identity.ts).
   * A `SlackIdentityError` is answered as a 503 naming what to set; the URL check and buttons never ask.
   */
  identity: () => Promise<SlackIdentity>;
  dispatcher: Dispatcher;
  /** The bot's Web API client: the thread of a slash command starts with a message the gateway posts. */
  client?: SlackClient;
  /** How long the gateway waits for Temporal before it answers Slack anyway (ms); 2.5 s by default. */
  ackWithinMs?: number;
  log?: (message: string, meta: Record<string, unknown>) => void;
  now?: () => number;
}

/**
 * `POST /webhooks/slack/events`, `/interactivity` and `/commands`: raw body → signature and timestamp
 * (constant time, 5 minutes) → parse → route → Temporal → an answer within Slack's 3 s, always. When
 * Temporal is slow the gateway answers at 2.5 s and keeps recording the command (Slack would otherwise
 * retry); when Temporal refuses, a 500 lets Slack retry, and the retry runs once (message identity).
 * The URL check (`url_verification`) is answered once the signature is valid, whatever the identity.
 */
export function createSlackRouter(options: SlackRouterOptions): Router {
  const router = new Router({ prefix: '/webhooks/slack' });
  const now = options.now ?? Date.now;
  const ackMs = options.ackWithinMs ?? SLACK_ACK_MS;
  const channels = new ChannelNames(options.client);

  const verified = async (ctx: Context): Promise<Buffer> => {
    const rawBody = await readRawBody(ctx, MAX_SLACK_BODY_BYTES);
    if (!verifySlackRequest(options.secrets, rawBody, ctx.get('X-Slack-Request-Timestamp') || undefined, ctx.get('X-Slack-Signature') || undefined, now())) ctx.throw(401);
    return rawBody;
  };

  /** The routing policy, or why agent-bot cannot tell who it is (any other error is a bug: a 500). */
  const policyOrError = async (): Promise<SlackRoutingPolicy | SlackIdentityError> => {
    try {
      return { ...options.settings, ...(await options.identity()) };
    } catch (error) {
      if (error instanceof SlackIdentityError) return error;
      throw error;
    }
  };

  /** Hands the event to Temporal, answering by the deadline whatever Temporal does. */
  const act = async (ctx: Context, routed: Exclude<RoutedEvent, { kind: 'invalid' }>, what: string): Promise<EventOutcome | 'late'> => {
    const pending = actOnEvent(routed, options.dispatcher);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), ackMs);
    });
    try {
      const outcome = await Promise.race([pending, late]);
      noteWebhookOutcome(ctx, outcome === 'late' ? 'late' : outcome.kind);
      if (outcome === 'late') {
        options.log?.('slack: Temporal is slow; answered Slack and still recording', { what });
        pending.catch((error: unknown) => options.log?.('slack: recording the command failed after the answer', { what, error: String(error) }));
      }
      return outcome;
    } finally {
      clearTimeout(timer);
    }
  };

  router.post('/events', async (ctx) => {
    const rawBody = await verified(ctx);
    const body = parseJsonBody(ctx, rawBody);
    let outcome: string = 'challenge';
    ctx.res.once('close', () => {
      options.log?.('slack event', { outcome, retry: ctx.get('X-Slack-Retry-Num') || undefined, status: ctx.status });
    });
    const challenge = slackChallenge(body);
    if (challenge !== undefined) {
      ctx.body = { challenge };
      return;
    }
    const policy = await policyOrError();
    if (policy instanceof SlackIdentityError) {
      outcome = 'unavailable';
      return answerUnavailable(ctx, policy);
    }
    const facts = await channels.facts(body, policy);
    const routed = routeSlackEvent(body, policy, new Date(now()), facts);
    outcome = routed.kind;
    if (routed.kind === 'challenge') {
      ctx.body = { challenge: routed.challenge };
      return;
    }
    if (routed.kind === 'invalid') return ctx.throw(400, routed.message);
    const acted = await act(ctx, routed, 'event');
    ctx.status = 200;
    ctx.body = acted === 'late' ? { ok: true } : describe(acted);
  });

  router.post('/interactivity', async (ctx) => {
    const rawBody = await verified(ctx);
    const form = new URLSearchParams(rawBody.toString('utf8'));
    const routed = routeSlackAction(form.get('payload') ?? undefined, options.settings);
    if (routed.kind === 'invalid') return ctx.throw(400, routed.message);
    await act(ctx, routed, 'interaction');
    // An empty 200: the task's message itself shows the decision (the task edits it).
    ctx.status = 200;
    ctx.body = '';
  });

  router.post('/commands', async (ctx) => {
    const rawBody = await verified(ctx);
    const parsed = parseSlashCommand(Object.fromEntries(new URLSearchParams(rawBody.toString('utf8'))));
    if (!parsed.ok) return ctx.throw(400, parsed.message);
    const slash = parsed.command;
    const ephemeral = (text: string): void => {
      ctx.status = 200;
      ctx.body = { response_type: 'ephemeral', text };
    };
    if (slash.text.trim() === '') return ephemeral(`Write \`${slash.command} <request>\`, e.g. \`${slash.command} explain the cache\`.`);
    if (options.client === undefined) return ephemeral('agent-bot has no SLACK_BOT_TOKEN, so it cannot start a thread here.');
    const policy = await policyOrError();
    if (policy instanceof SlackIdentityError) {
      noteWebhookOutcome(ctx, 'error');
      // Slack never retries a slash command, and shows this text to the person who typed it.
      return ephemeral(`agent-bot cannot take requests ${policy.transient ? 'right now, try again in a moment' : 'until it is set up'}: ${policy.message}.`);
    }
    let ts: string;
    try {
      // The thread the task runs in starts with this message, as if the person had mentioned the bot.
      const posted = await options.client.chat.postMessage({ channel: slash.channel_id, text: `<@${slash.user_id}> asked: ${slash.text}`, unfurl_links: false });
      ts = posted.ts ?? '';
    } catch (error) {
      const code = (error as { data?: { error?: string } }).data?.error ?? (error as Error).message;
      const hint = code === 'not_in_channel' || code === 'channel_not_found' ? ' Invite agent-bot to this channel first (`/invite @agent-bot`).' : '';
      return ephemeral(`agent-bot could not start a thread here: Slack answered ${code}.${hint}`);
    }
    const routed = routeSlashCommand(slash, ts, policy, new Date(now()), await channels.named(slash.channel_id, policy));
    if (routed.kind === 'invalid') return ctx.throw(400, routed.message);
    if (routed.kind === 'ignored') return ephemeral(`Not started: ${routed.reason}.`);
    const outcome = await act(ctx, routed, 'slash command');
    const taskId = routed.kind === 'command' ? routed.command.taskId : undefined;
    return ephemeral(outcome !== 'late' && outcome.kind === 'ignored' ? `Not started: ${outcome.reason}.` : `On it: task \`${taskId ?? '?'}\`. Follow it in the thread.`);
  });

  return router;
}

/**
 * 503 with what to set and Slack's error code. Slack retries any answer but a 2xx; a refusal that only a
 * new setting fixes says `X-Slack-No-Retry: 1` (Slack's own header), so Slack does not re-send it in vain.
 */
function answerUnavailable(ctx: Context, error: SlackIdentityError): void {
  ctx.status = 503;
  if (!error.transient) ctx.set('X-Slack-No-Retry', '1');
  ctx.body = { error: error.message, slack_error: error.code };
}

function describe(outcome: EventOutcome): Record<string, unknown> {
  switch (outcome.kind) {
    case 'accepted':
      return { task_id: outcome.taskId, workflow_id: outcome.workflowId };
    case 'delivered':
    case 'closing':
      return { workflow_id: outcome.workflowId };
    case 'ignored':
      return { ignored: outcome.reason };
    case 'ping':
      return { ok: true };
  }
}

/**
 * Channel names, only when SLACK_CHANNEL_REPOS names channels by name (ids need no lookup), cached for
 * ten minutes and given at most a second: the 3 s answer matters more than the mapping.
 */
class ChannelNames {
  private readonly cache = new Map<string, { name?: string; at: number }>();

  constructor(private readonly client: SlackClient | undefined) {}

  async facts(body: unknown, policy: SlackRoutingPolicy): Promise<SlackChannelFacts> {
    const channel = (body as { event?: { channel?: unknown } } | null)?.event?.channel;
    return typeof channel === 'string' ? this.named(channel, policy) : {};
  }

  async named(channel: string, policy: SlackRoutingPolicy): Promise<SlackChannelFacts> {
    const byName = Object.keys(policy.channelRepos).some((key) => !/^[CDG][A-Z0-9]{6,}$/.test(key));
    if (!byName || this.client === undefined) return {};
    const cached = this.cache.get(channel);
    if (cached !== undefined && Date.now() - cached.at < 10 * 60_000) return cached.name === undefined ? {} : { name: cached.name };
    const client = this.client;
    const name = await Promise.race([
      client.conversations.info({ channel }).then((answer) => answer.channel?.name, () => undefined),
      new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 1_000).unref()),
    ]);
    this.cache.set(channel, { ...(name === undefined ? {} : { name }), at: Date.now() });
    return name === undefined ? {} : { name };
  }
}
