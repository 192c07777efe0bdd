import Router from '@koa/router';
import type { KeyObject } from 'node:crypto';
import type { Context } from 'koa';
import type { DiscordClient, MessageBody } from '../../integrations/discord/client';
import { DiscordHttpError } from '../../integrations/discord/errors';
import { routeDiscordInteraction, type DiscordReplyPlan, type DiscordRoutingPolicy, type DiscordThreadFacts } from '../../integrations/discord/route-interaction';
import { InteractionType, MessageFlags, ResponseType, THREAD_CHANNEL_TYPES } from '../../integrations/discord/schemas';
import { verifyDiscordRequest } from '../../integrations/discord/signature';
import { SNOWFLAKE, snowflakeTimeMs } from '../../integrations/discord/snowflake';
import { actOnEvent, type EventOutcome } from '../act-on-event';
import type { Dispatcher } from '../dispatcher';
import { noteWebhookOutcome } from '../metrics';
import { parseJsonBody, readRawBody } from '../raw-body';

/** Discord fails an interaction not answered within 3 s (and never retries it): we answer well before. */
const DISCORD_ACK_MS = 2_500;
/** Interaction payloads are small; anything larger is not Discord. */
const MAX_DISCORD_BODY_BYTES = 1024 * 1024;
/**
 * An interaction older than this is a replay of a captured request, not Discord: its token would be dead
 * anyway (15 minutes), and it must not start anything. Its id says when Discord made it.
 */
const MAX_INTERACTION_AGE_MS = 20 * 60_000;
/** How long the gateway asks Discord whose thread a command came from before it gives up (ms). */
const THREAD_LOOKUP_MS = 1_000;

export interface DiscordRouterOptions {
  /** DISCORD_PUBLIC_KEY as a key; undefined: every request is refused with 401. */
  publicKey: KeyObject | undefined;
  /** How interactions are read; undefined (no DISCORD_APPLICATION_ID): every request is refused with 401. */
  policy: DiscordRoutingPolicy | undefined;
  dispatcher: Dispatcher;
  /** For whose thread a command came from (bot token), and for answers that come after the deadline. */
  client?: DiscordClient;
  /** How long the gateway waits for Temporal before it answers Discord anyway (ms); 2.5 s by default. */
  ackWithinMs?: number;
  log?: (message: string, meta: Record<string, unknown>) => void;
  now?: () => number;
}

type InteractionResponse = { type: number; data?: MessageBody };

/**
 * `POST /webhooks/discord`, the Interactions Endpoint URL: raw body → Ed25519 signature (an exact 401
 * otherwise: Discord checks that bad signatures are refused) → PING/PONG, or route → Temporal → an answer
 * within Discord's 3 s, always. Discord never retries an interaction, so a failure is answered with a
 * message saying so rather than a 5xx; when Temporal is slow the gateway defers at 2.5 s and edits the
 * response once Temporal answered.
 */
export function createDiscordRouter(options: DiscordRouterOptions): Router {
  const router = new Router();
  const now = options.now ?? Date.now;
  const ackMs = options.ackWithinMs ?? DISCORD_ACK_MS;
  const starters = new ThreadStarters(options.client);
  const log = options.log ?? (() => {});

  router.post('/webhooks/discord', async (ctx) => {
    const rawBody = await readRawBody(ctx, MAX_DISCORD_BODY_BYTES);
    const policy = options.policy;
    if (policy === undefined || !verifyDiscordRequest(options.publicKey, rawBody, ctx.get('X-Signature-Timestamp') || undefined, ctx.get('X-Signature-Ed25519') || undefined)) return ctx.throw(401);
    const body = parseJsonBody(ctx, rawBody);
    const head = body as { id?: unknown; type?: unknown; token?: unknown; application_id?: unknown };
    if (typeof head.id === 'string' && SNOWFLAKE.test(head.id) && now() - snowflakeTimeMs(head.id) > MAX_INTERACTION_AGE_MS) return ctx.throw(401);
    const facts = await starters.facts(body, policy);
    if (facts === 'unknown') {
      ctx.body = message('agent-bot could not read whose thread this is (Discord did not answer in time); try again in a moment.', true);
      return;
    }
    const route = routeDiscordInteraction(body, policy, new Date(now()), facts);
    ctx.res.once('close', () => log('discord interaction', { type: head.type, outcome: route.kind, status: ctx.status }));
    switch (route.kind) {
      case 'pong':
        ctx.body = { type: ResponseType.pong };
        return;
      case 'invalid':
        return ctx.throw(400, route.message);
      case 'answer':
        ctx.body = message(route.content, route.ephemeral);
        return;
      case 'act': {
        const token = { applicationId: String(head.application_id), token: String(head.token) };
        ctx.body = await act(ctx, route.event, route.reply, token);
        return;
      }
    }
  });

  /** Hands the event to Temporal and answers by the deadline, whatever Temporal does. */
  async function act(ctx: Context, event: Parameters<typeof actOnEvent>[0], plan: DiscordReplyPlan, token: { applicationId: string; token: string }): Promise<InteractionResponse> {
    const pending = actOnEvent(event, options.dispatcher);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), ackMs);
    });
    let outcome: EventOutcome | 'late';
    try {
      outcome = await Promise.race([pending, late]);
      noteWebhookOutcome(ctx, outcome === 'late' ? 'late' : outcome.kind);
    } catch (error) {
      noteWebhookOutcome(ctx, 'error');
      log('discord: Temporal refused the event', { kind: event.kind, error: String(error) });
      return message('agent-bot could not record this (its Temporal server did not take it); try again in a moment.', true);
    } finally {
      clearTimeout(timer);
    }
    if (outcome !== 'late') return answerFor(outcome, plan);
    log('discord: Temporal is slow; deferred the answer and still recording', { kind: event.kind });
    pending.then(
      (settled) => finishLate(token, plan, answerFor(settled, plan)),
      (error: unknown) => {
        log('discord: recording the event failed after the answer', { kind: event.kind, error: String(error) });
        return finishLate(token, plan, message('agent-bot could not record this (its Temporal server did not take it); try again in a moment.', true));
      },
    ).catch((error: unknown) => log('discord: could not edit the deferred answer', { error: error instanceof DiscordHttpError ? error.message : String((error as Error).name) }));
    // A deferred answer now; what it says follows once Temporal answered.
    if (plan.kind === 'update') return { type: ResponseType.deferredUpdate };
    return { type: ResponseType.deferredMessage, ...(plan.kind === 'message' && plan.ephemeral ? { data: { flags: MessageFlags.ephemeral } } : {}) };
  }

  /** After a deferred answer: the words the answer would have had, as an edit (or, for a click, a follow-up). */
  async function finishLate(token: { applicationId: string; token: string }, plan: DiscordReplyPlan, answer: InteractionResponse): Promise<void> {
    const client = options.client;
    if (client === undefined || answer.data === undefined) return;
    if (plan.kind === 'update') await client.followUp(token.applicationId, token.token, answer.data);
    else await client.editOriginal(token.applicationId, token.token, answer.data);
  }

  return router;
}

/** The answer to an event Temporal took: as planned, or why nothing happened. */
function answerFor(outcome: EventOutcome, plan: DiscordReplyPlan): InteractionResponse {
  if (outcome.kind === 'ignored') return message(`Not done: ${outcome.reason}.`, true);
  switch (plan.kind) {
    case 'defer':
      return { type: ResponseType.deferredMessage };
    case 'update':
      return { type: ResponseType.deferredUpdate };
    case 'message':
      return message(plan.content, plan.ephemeral);
  }
}

function message(content: string, ephemeral: boolean): InteractionResponse {
  return { type: ResponseType.message, data: { content: content.slice(0, 2_000), allowed_mentions: { parse: [] }, ...(ephemeral ? { flags: MessageFlags.ephemeral } : {}) } };
}

/**
 * Whose a Discord thread is, for `/agent` used inside one: a thread started on the response to one of
 * agent-bot's interactions continues that interaction's conversation. A thread started on a message has
 * the message's id, so its first message is `GET /channels/{parent}/messages/{thread id}`, which names the
 * interaction it answers. Asked once per thread (the answer never changes), with the bot token, for at most
 * a second: without an answer the person is asked to try again, rather than the command landing in
 * another conversation than a retry would.
 */
class ThreadStarters {
  private readonly known = new Map<string, DiscordThreadFacts>();

  constructor(private readonly client: DiscordClient | undefined) {}

  async facts(body: unknown, policy: DiscordRoutingPolicy): Promise<DiscordThreadFacts | 'unknown'> {
    const interaction = body as { type?: unknown; channel?: { id?: unknown; type?: unknown; parent_id?: unknown } } | null;
    const channel = interaction?.channel;
    if (interaction?.type !== InteractionType.applicationCommand || channel === undefined) return {};
    if (typeof channel.id !== 'string' || typeof channel.parent_id !== 'string' || typeof channel.type !== 'number' || !THREAD_CHANNEL_TYPES.includes(channel.type)) return {};
    if (!SNOWFLAKE.test(channel.id) || !SNOWFLAKE.test(channel.parent_id)) return {};
    const cached = this.known.get(channel.id);
    if (cached !== undefined) return cached;
    const client = this.client;
    if (client === undefined || !client.hasBotToken) return {};
    const threadId = channel.id;
    const parentId = channel.parent_id;
    const answer = await Promise.race([
      client.getMessage(parentId, threadId).then(
        (starter) => {
          const ours = starter.webhook_id === policy.applicationId || starter.application_id === policy.applicationId || starter.author?.id === policy.applicationId;
          const startedBy = ours ? (starter.interaction_metadata?.id ?? starter.interaction?.id ?? undefined) : undefined;
          return startedBy === undefined ? {} : { startedBy };
        },
        // 404: the thread was not started on a message (or it is gone): the thread is its own conversation.
        (error: unknown) => (error instanceof DiscordHttpError && error.status === 404 ? {} : ('unknown' as const)),
      ),
      new Promise<'unknown'>((resolve) => setTimeout(() => resolve('unknown'), THREAD_LOOKUP_MS).unref()),
    ]);
    if (answer !== 'unknown') {
      if (this.known.size > 10_000) this.known.clear();
      this.known.set(threadId, answer);
    }
    return answer;
  }
}
