import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { ErrorType } from '../../contracts/errors';
import type { CommandReaction, TaskPresence, TaskView } from '../../contracts/presence';
import { taskIdFor, type ThreadRef } from '../../contracts/thread';
import type { Checkout, PromptContext, ShowOptions, TaskOnThread, ThreadTransport, ThreadUser } from '../transport';
import { WriteBudgetExhausted, type WriteBudgets, type WritePriority } from '../write-budget';
import type { DiscordClient, MessageBody } from './client';
import { classifyDiscordError, DiscordErrorCode, DiscordHttpError, isExpiredToken } from './errors';
import { renderDiscordReply, renderDiscordTask, renderMovedOriginal } from './render';
import { snowflakeTimeMs } from './snowflake';
import { conversationIdOf, discordAddress, type DiscordAddress } from './thread';

export interface DiscordTransportOptions {
  client: DiscordClient;
  /** Shared by every task of the process: one budget for the bot token, and one per channel. */
  budgets: WriteBudgets;
  /** DISCORD_ALLOWED_ROLES: decides who may approve when a decision arrives unchecked (see mayApprove). */
  allowedRoles: readonly string[];
  now?: () => number;
}

/**
 * Discord's global limit is 50 requests a second per bot token
 * (https://docs.discord.com/developers/topics/rate-limits#global-rate-limit); interaction webhooks are not
 * bound by it. Per-route limits are not published (Discord says to read the `X-RateLimit-*` headers): the
 * message routes answer `X-RateLimit-Limit: 5` per 5 s per channel, so we stay at that per channel, and a
 * 429 pauses every later write of the key it hit for its `retry_after`.
 */
export const DISCORD_BOT_WINDOWS = [{ limit: 40, perMs: 1_000 }] as const;
export const DISCORD_CHANNEL_WINDOWS = [{ limit: 5, perMs: 5_000 }] as const;

const BOT_KEY = 'discord';
const EMOJI: Record<CommandReaction, string> = { accepted: '👀', succeeded: '✅', failed: '❌' };
/** Threads agent-bot starts stay open a week without messages (60, 1440, 4320 or 10080 minutes). */
const AUTO_ARCHIVE_MINUTES = 10_080;
/** How many messages after the interaction are searched for its response, once its token expired. */
const ORIGINAL_SEARCH_LIMIT = 50;

/** What the transport keeps of a task in its presence (workflow history): ids only, never the token. */
const stateSchema = z.object({
  /** The interaction's response: the task's message until it moves into the thread. */
  originalId: z.string().optional(),
  /** The channel (the thread on the response, or the conversation's thread) the task's message is in now. */
  postedIn: z.string().optional(),
});
type TaskState = z.infer<typeof stateSchema>;

/**
 * agent-bot in Discord. A task started by `/agent` in a channel shows in the interaction's own response
 * (`PATCH …/messages/@original`, with Cancel, or Approve/Reject, as buttons) while the interaction token
 * lives; afterwards, or when Discord says the token is invalid (50027), it goes on in a thread started on
 * that response with the bot token, where follow-ups, replies and later tasks of the conversation go too.
 * A conversation that lives in a Discord thread from the start writes there with the bot token.
 */
export function createDiscordTransport(options: DiscordTransportOptions): ThreadTransport {
  const { client, budgets } = options;
  const now = options.now ?? Date.now;
  /** Interaction id → its response's message id, and messages known to have a thread: facts that never change. */
  const originals = new Map<string, string>();
  const threads = new Set<string>();

  /** Reactions pass `perChannel` false: Discord limits them on a route of their own, not the channel's messages. */
  const keysFor = (channelId: string, withBotToken: boolean, perChannel = true): string[] => {
    if (!perChannel) return withBotToken ? [BOT_KEY] : [];
    const channelKey = `discord:channel:${channelId}`;
    budgets.configure(channelKey, DISCORD_CHANNEL_WINDOWS);
    return withBotToken ? [BOT_KEY, channelKey] : [channelKey];
  };

  /**
   * One write, within the budgets, its failure classified once. Failures `keep` accepts are rethrown as
   * they are, for the caller to act on (an expired token moves the task to its thread).
   */
  async function write<T>(priority: WritePriority, channelId: string, withBotToken: boolean, what: string, call: () => Promise<T>, keep: (error: unknown) => boolean = () => false, perChannel = true): Promise<T | undefined> {
    const keys = keysFor(channelId, withBotToken, perChannel);
    try {
      return await budgets.run(priority, keys, call);
    } catch (error) {
      if (error instanceof WriteBudgetExhausted) throw rateLimited(`${what}: ${error.message}`, error.retryAfterMs);
      if (keep(error)) throw error;
      const failure = classifyDiscordError(error, what);
      if (failure.retryAfterMs !== undefined) budgets.pause(failure.global === true ? [BOT_KEY] : keys, now() + failure.retryAfterMs);
      throw failure;
    }
  }

  async function read<T>(what: string, call: () => Promise<T>, keep: (error: unknown) => boolean = () => false): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (keep(error)) throw error;
      throw classifyDiscordError(error, what);
    }
  }

  /** Whether the interaction token still works, with a margin (a tenth of its life, at most 30 s) for slow calls. */
  function tokenUsable(address: DiscordAddress): address is DiscordAddress & { token: string; applicationId: string; interactionId: string; tokenExpiresAt: number } {
    if (address.token === undefined || address.applicationId === undefined || address.interactionId === undefined || address.tokenExpiresAt === undefined) return false;
    const lifeMs = address.tokenExpiresAt - snowflakeTimeMs(address.interactionId);
    return now() < address.tokenExpiresAt - Math.min(30_000, Math.max(0, lifeMs) / 10);
  }

  /**
   * The message id of the response to the conversation's interaction: asked with its token while that
   * lives, else found among the channel's messages right after the interaction (`interaction_metadata`).
   */
  async function findOriginal(address: DiscordAddress): Promise<string | undefined> {
    const interactionId = address.interactionId;
    if (interactionId === undefined) return undefined;
    const known = originals.get(interactionId);
    if (known !== undefined) return known;
    let found: string | undefined;
    if (tokenUsable(address)) {
      try {
        found = (await read('reading the interaction response', () => client.getOriginal(address.applicationId, address.token), (error) => isExpiredToken(error) || isNotFound(error))).id;
      } catch (error) {
        if (!isExpiredToken(error) && !isNotFound(error)) throw error;
      }
    }
    if (found === undefined && client.hasBotToken) {
      const page = await read('looking for the interaction response', () => client.listMessages(address.channelId, { after: interactionId, limit: ORIGINAL_SEARCH_LIMIT }));
      found = page.find((message) => (message.interaction_metadata?.id ?? message.interaction?.id) === interactionId)?.id;
    }
    if (found !== undefined) originals.set(interactionId, found);
    return found;
  }

  /** The thread on a message (it takes the message's id), started now unless it already is. */
  async function ensureThread(channelId: string, messageId: string, name: string): Promise<string> {
    if (threads.has(messageId)) return messageId;
    const exists = (error: unknown): boolean => error instanceof DiscordHttpError && error.code === DiscordErrorCode.threadExists;
    try {
      await write('urgent', channelId, true, 'starting the thread', () => client.startThread(channelId, messageId, { name, auto_archive_duration: AUTO_ARCHIVE_MINUTES }), exists);
    } catch (error) {
      if (!exists(error)) throw error;
    }
    threads.add(messageId);
    return messageId;
  }

  /**
   * Where the conversation's new messages go: its thread, else the thread on its first response
   * (`originalId`, found by the caller), else (that response is gone) the channel itself.
   */
  async function conversationChannel(address: DiscordAddress, name: string, originalId: string | undefined): Promise<string> {
    if (address.threadId !== undefined) return address.threadId;
    if (originalId === undefined) return address.channelId;
    return ensureThread(address.channelId, originalId, name);
  }

  /** The task's message in a channel, by the task id its footer names: after a lost answer only. */
  async function findTaskMessage(channelId: string, taskId: string): Promise<string | undefined> {
    const page = await read('looking for the task message', () => client.listMessages(channelId, { limit: 50 }));
    return page.find((message) => (message.content ?? '').includes(`task \`${taskId}\``))?.id;
  }

  /** The response, once the task moved on into its thread: best effort, the thread has the real message. */
  async function markMoved(address: DiscordAddress, originalId: string, body: MessageBody): Promise<void> {
    try {
      await write('urgent', address.channelId, true, 'pointing the response to its thread', () => client.editMessage(address.channelId, originalId, renderMovedOriginal(body)));
    } catch {
      // Discord may refuse the bot an edit of an interaction's response: the thread still has everything.
    }
  }

  return {
    provider: 'discord',

    async react(thread: ThreadRef, messageId: string, reaction: CommandReaction): Promise<void> {
      const address = discordAddress(thread);
      const channelId = address.threadId ?? address.channelId;
      // Skipped rather than waited for when the budget is short (see ThreadTransport.react).
      await write('progress', channelId, true, `adding the ${EMOJI[reaction]} reaction`, () => client.addReaction(channelId, messageId, EMOJI[reaction]), undefined, false);
    },

    async reply(thread: ThreadRef, text: string): Promise<void> {
      const address = discordAddress(thread);
      const originalId = address.threadId === undefined ? await findOriginal(address) : undefined;
      const channelId = await conversationChannel(address, threadName(thread.label), originalId);
      await write('urgent', channelId, true, 'posting a reply', () => client.createMessage(channelId, renderDiscordReply(text)));
    },

    begin(_task: TaskOnThread, { presence }): Promise<{ presence: TaskPresence; context: PromptContext }> {
      // The thread's earlier messages would need the privileged Message Content intent: the request is enough.
      return Promise.resolve({ presence, context: { notes: [] } });
    },

    checkout(): Checkout | undefined {
      return undefined;
    },

    async show(task: TaskOnThread, presence: TaskPresence, view: TaskView, showOptions: ShowOptions): Promise<TaskPresence | undefined> {
      const address = discordAddress(task.thread);
      const body = renderDiscordTask(task.header, conversationIdOf(task.thread), view);
      const state = stateOf(presence);
      const isOrigin = address.interactionId !== undefined && task.header.taskId === taskIdFor('discord', address.interactionId);

      if (isOrigin && state.postedIn === undefined && tokenUsable(address)) {
        const moveOn = (error: unknown): boolean => isExpiredToken(error) || isNotFound(error);
        try {
          const edited = await write(showOptions.priority, address.channelId, false, 'editing the interaction response', () => client.editOriginal(address.applicationId, address.token, body), moveOn);
          if (edited === undefined) return undefined;
          originals.set(address.interactionId, edited.id);
          return { messageId: edited.id, state: { originalId: edited.id } };
        } catch (error) {
          // The token expired early, or the response is gone: go on in the thread.
          if (!moveOn(error)) throw error;
        }
      }

      const originalId = state.originalId ?? (state.postedIn === undefined && address.threadId === undefined ? await findOriginal(address) : undefined);
      const channelId = state.postedIn ?? (await conversationChannel(address, threadName(task.header.request), originalId));
      let messageId = state.postedIn === undefined ? undefined : presence.messageId;
      if (messageId === undefined && showOptions.mayExist === true) messageId = await findTaskMessage(channelId, task.header.taskId);
      const post = () => write(showOptions.priority, channelId, true, 'posting the task message', () => client.createMessage(channelId, body));
      const existing = messageId;
      let posted;
      try {
        posted = existing === undefined ? await post() : await write(showOptions.priority, channelId, true, 'updating the task message', () => client.editMessage(channelId, existing, body), isUnknownMessage);
      } catch (error) {
        // Someone deleted the task's message: the answer still has to land, as a new message.
        if (!isUnknownMessage(error)) throw error;
        posted = await post();
      }
      if (posted === undefined) return undefined;
      // The response in the channel says where the task went, once when it moves and again with the outcome.
      if (isOrigin && originalId !== undefined && channelId !== address.channelId && (state.postedIn === undefined || view.phase === 'final')) await markMoved(address, originalId, body);
      const next: TaskState = { ...(originalId === undefined ? {} : { originalId }), postedIn: channelId };
      return { messageId: posted.id, state: next };
    },

    mayApprove(_thread: ThreadRef, _user: ThreadUser): Promise<boolean> {
      // The gateway checks DISCORD_ALLOWED_ROLES against the member's roles (the interaction carries them)
      // and marks what passes as trusted; a decision that arrives unchecked counts only when no roles are set.
      return Promise.resolve(options.allowedRoles.length === 0);
    },
  };
}

function stateOf(presence: TaskPresence): TaskState {
  const parsed = stateSchema.safeParse(presence.state ?? {});
  return parsed.success ? parsed.data : {};
}

function isUnknownMessage(error: unknown): boolean {
  return error instanceof DiscordHttpError && error.code === DiscordErrorCode.unknownMessage;
}

function isNotFound(error: unknown): boolean {
  return error instanceof DiscordHttpError && error.status === 404;
}

/** A thread's name: 1 to 100 characters (https://docs.discord.com/developers/resources/channel#start-thread-from-message). */
function threadName(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  const name = `agent: ${line}`;
  return name.length > 100 ? `${name.slice(0, 99)}…` : name;
}

function rateLimited(message: string, retryAfterMs: number): ApplicationFailure {
  return ApplicationFailure.create({ message, type: ErrorType.ProviderRateLimited, nextRetryDelay: retryAfterMs });
}
