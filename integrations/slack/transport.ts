import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../../contracts/errors';
import type { CommandReaction, TaskPresence, TaskView } from '../../contracts/presence';
import type { ThreadRef } from '../../contracts/thread';
import type { Checkout, PromptContext, ShowOptions, TaskOnThread, ThreadTransport, ThreadUser } from '../transport';
import { WriteBudgetExhausted, type WriteBudgets, type WritePriority } from '../write-budget';
import type { SlackClient } from './client';
import { classifySlackError } from './errors';
import { renderSlackReply, renderSlackTask, TASK_METADATA_TYPE } from './render';
import { slackToPlainText } from './text';
import { slackAddress, type SlackAddress } from './thread';

export interface SlackTransportOptions {
  client: SlackClient;
  /** Shared by every task of the process: one budget for the token, and one per channel. */
  budgets: WriteBudgets;
  /** Slack user ids who may decide approvals; empty: every human member of the workspace. */
  allowedUsers: readonly string[];
  /** The whole answer kept on this worker (`answer.md`), for the attachment of a long answer. */
  readAnswer?: (answerPath: string) => string | undefined;
  now?: () => number;
}

/**
 * Slack's Web API tiers (https://docs.slack.dev/apis/web-api/rate-limits): chat.update, reactions.add
 * and files.* are Tier 3 (50+ a minute per workspace); chat.postMessage allows about one message a second
 * per channel. We stay below both.
 */
export const SLACK_WRITE_WINDOWS = [{ limit: 45, perMs: 60_000 }] as const;
export const SLACK_CHANNEL_WINDOWS = [{ limit: 1, perMs: 1_000 }] as const;

const REACTIONS: Record<CommandReaction, string> = { accepted: 'eyes', succeeded: 'white_check_mark', failed: 'x' };

/** How much of the thread the prompt sees: the last messages before the request, at most this many characters. */
const CONTEXT_MESSAGES = 20;
const CONTEXT_CHARS = 4_000;

/**
 * agent-bot in a Slack thread: 👀 on the triggering message, one message per task posted in the thread
 * and updated in place (`chat.update`) until it becomes the answer, with Block Kit buttons (Cancel while
 * it works, Approve/Reject on a plan), ✅/❌ at the end, and a long answer attached as a file. Each
 * task message carries metadata naming its task, so a retry after a lost answer finds it.
 */
export function createSlackTransport(options: SlackTransportOptions): ThreadTransport {
  const { client, budgets } = options;
  const now = options.now ?? Date.now;

  /** Messages count against the workspace's tier and their channel's pace; reactions only against the tier. */
  const keys = (address: SlackAddress, perChannel: boolean): string[] => {
    if (!perChannel) return ['slack'];
    const channelKey = `slack:channel:${address.channel}`;
    budgets.configure(channelKey, SLACK_CHANNEL_WINDOWS);
    return ['slack', channelKey];
  };

  async function write<T>(priority: WritePriority, address: SlackAddress, what: string, call: () => Promise<T>, perChannel = true): Promise<T | undefined> {
    const budgetKeys = keys(address, perChannel);
    try {
      return await budgets.run(priority, budgetKeys, call);
    } catch (error) {
      if (error instanceof WriteBudgetExhausted) throw rateLimited(`${what}: ${error.message}`, error.retryAfterMs);
      const failure = classifySlackError(error, what);
      if (failure.retryAfterMs !== undefined) budgets.pause(budgetKeys, now() + failure.retryAfterMs);
      throw failure;
    }
  }

  async function read<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw classifySlackError(error, what);
    }
  }

  /** The task's message in its thread, by the metadata it was posted with: after a lost answer only. */
  async function findTaskMessage(address: SlackAddress, taskId: string): Promise<string | undefined> {
    let cursor: string | undefined;
    do {
      const page = await read('looking for the task message', () =>
        client.conversations.replies({ channel: address.channel, ts: address.threadTs, include_all_metadata: true, limit: 200, ...(cursor ? { cursor } : {}) }),
      );
      for (const message of page.messages ?? []) {
        const payload: Record<string, unknown> = { ...message.metadata?.event_payload };
        if (message.metadata?.event_type === TASK_METADATA_TYPE && payload['task_id'] === taskId && message.ts) return message.ts;
      }
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor !== undefined);
    return undefined;
  }

  async function attachAnswer(address: SlackAddress, task: TaskOnThread, attachment: { filename: string; content: string }, mayExist: boolean): Promise<void> {
    if (mayExist) {
      const page = await read('looking for the attached answer', () => client.conversations.replies({ channel: address.channel, ts: address.threadTs, limit: 200 }));
      if ((page.messages ?? []).some((message) => (message.files ?? []).some((file) => file.name === attachment.filename))) return;
    }
    await write('urgent', address, 'attaching the full answer', () =>
      client.filesUploadV2({
        channel_id: address.channel,
        thread_ts: address.threadTs,
        content: attachment.content,
        filename: attachment.filename,
        title: `Full answer of task ${task.header.taskId}`,
      }),
    );
  }

  return {
    provider: 'slack',

    async react(thread: ThreadRef, messageId: string, reaction: CommandReaction): Promise<void> {
      const address = slackAddress(thread);
      try {
        // Skipped rather than waited for when the budget is short (see ThreadTransport.react).
        await write('progress', address, `adding the ${REACTIONS[reaction]} reaction`, () => client.reactions.add({ channel: address.channel, timestamp: messageId, name: REACTIONS[reaction] }), false);
      } catch (error) {
        // Slack answers already_reacted to a second add: the reaction is there, which is what we wanted.
        if (!String((error as Error).message).includes('already_reacted')) throw error;
      }
    },

    async reply(thread: ThreadRef, text: string): Promise<void> {
      const address = slackAddress(thread);
      const { text: fallback, blocks } = renderSlackReply(text);
      await write('urgent', address, 'posting a reply', () =>
        client.chat.postMessage({ channel: address.channel, thread_ts: address.threadTs, text: fallback, blocks, unfurl_links: false, unfurl_media: false }),
      );
    },

    async begin(task: TaskOnThread, { presence }): Promise<{ presence: TaskPresence; context: PromptContext }> {
      return { presence, context: { notes: await threadContext(slackAddress(task.thread)) } };
    },

    checkout(): Checkout | undefined {
      return undefined;
    },

    async show(task: TaskOnThread, presence: TaskPresence, view: TaskView, showOptions: ShowOptions): Promise<TaskPresence | undefined> {
      const address = slackAddress(task.thread);
      const full = view.phase === 'final' && view.answerPath !== undefined ? options.readAnswer?.(view.answerPath) : undefined;
      const message = renderSlackTask(task.header, task.taskWorkflowId, view, full);
      const metadata = { event_type: TASK_METADATA_TYPE, event_payload: { task_id: task.header.taskId } };
      let ts = presence.messageId;
      if (ts === undefined && showOptions.mayExist === true) ts = await findTaskMessage(address, task.header.taskId);
      const posted = ts === undefined
        ? await write(showOptions.priority, address, 'posting the task message', () =>
            client.chat.postMessage({ channel: address.channel, thread_ts: address.threadTs, text: message.text, blocks: message.blocks, metadata, unfurl_links: false, unfurl_media: false }),
          )
        : await write(showOptions.priority, address, 'updating the task message', () =>
            client.chat.update({ channel: address.channel, ts: ts, text: message.text, blocks: message.blocks, metadata }),
          );
      if (posted === undefined) return undefined;
      const next: TaskPresence = { ...presence, messageId: posted.ts ?? ts };
      if (message.attachment !== undefined) await attachAnswer(address, task, message.attachment, showOptions.mayExist === true);
      return next;
    },

    async mayApprove(thread: ThreadRef, user: ThreadUser): Promise<boolean> {
      const id = user.id ?? user.name;
      if (options.allowedUsers.length > 0) return options.allowedUsers.includes(id);
      // Every human member of the workspace: not a bot, not deactivated.
      try {
        const { user: found } = await client.users.info({ user: id });
        return found !== undefined && found.is_bot !== true && found.deleted !== true;
      } catch (error) {
        const failure = classifySlackError(error, 'checking who may approve');
        if (failure.type === ErrorType.ProviderNotFound) return false;
        throw failure;
      }
    },
  };

  /** The thread's earlier messages (people's, not agent-bot's), for the prompt: best effort. */
  async function threadContext(address: SlackAddress): Promise<string[]> {
    try {
      const page = await client.conversations.replies({ channel: address.channel, ts: address.threadTs, limit: 200 });
      const lines = (page.messages ?? [])
        .filter((message) => message.bot_id === undefined && typeof message.text === 'string' && message.text.trim() !== '')
        .slice(-CONTEXT_MESSAGES)
        .map((message) => `> <@${message.user ?? 'someone'}>: ${slackToPlainText(message.text ?? '').replace(/\n/g, '\n> ')}`);
      if (lines.length <= 1) return [];
      let text = lines.join('\n');
      if (text.length > CONTEXT_CHARS) text = `…${text.slice(-CONTEXT_CHARS)}`;
      return [`The Slack thread so far (oldest first):\n${text}`];
    } catch {
      // Without channels:history the agent still gets the request itself.
      return [];
    }
  }
}

function rateLimited(message: string, retryAfterMs: number): ApplicationFailure {
  return ApplicationFailure.create({ message, type: ErrorType.ProviderRateLimited, nextRetryDelay: retryAfterMs });
}
