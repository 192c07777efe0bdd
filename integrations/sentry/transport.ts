import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../../contracts/errors';
import type { CommandReaction, TaskPresence, TaskView } from '../../contracts/presence';
import type { ThreadRef } from '../../contracts/thread';
import { taskMarkerPattern } from '../agent-bot-signature';
import type { Checkout, PromptContext, ShowOptions, TaskOnThread, ThreadTransport, ThreadUser } from '../transport';
import { WriteBudgetExhausted, type WriteBudgets, type WritePriority, type WriteWindow } from '../write-budget';
import type { SentryClient, SentryEvent } from './client';
import { classifySentryError, isDuplicateComment } from './errors';
import { renderSentryReply, renderSentryTaskComment, stackTraceNote } from './render';
import { sentryAddress, type SentryAddress } from './thread';

export interface SentryTransportOptions {
  client: SentryClient;
  /** The organization slug: threads of another organization are refused (the config changed under a conversation). */
  org: string;
  /** Shared by every task of the process: one budget for the token. */
  budgets: WriteBudgets;
  now?: () => number;
}

/**
 * Sentry limits each caller on each endpoint, by default to 40 requests a second in fixed windows, plus a cap
 * on concurrent requests (https://docs.sentry.io/api/ratelimits/). We stay at 30 writes a second for the
 * token; a 429 still pauses every write for the time Sentry names.
 */
export const SENTRY_WRITE_WINDOWS: readonly WriteWindow[] = [{ limit: 30, perMs: 1_000 }];

const TOKEN_KEY = 'sentry';

/**
 * agent-bot on a Sentry issue: one comment per task, posted when the task starts and edited in place into its
 * answer; replies are comments too. Sentry has no reactions on comments, so the task's comment is the
 * acknowledgement. The prompt gets the issue's latest stack trace, read through the API when a task begins.
 */
export function createSentryTransport(options: SentryTransportOptions): ThreadTransport {
  const { client, budgets } = options;
  const now = options.now ?? Date.now;

  function addressOf(thread: ThreadRef): SentryAddress {
    const address = sentryAddress(thread);
    if (address.org !== options.org) {
      throw ApplicationFailure.nonRetryable(`the thread ${thread.key} is in Sentry organization ${address.org}, but SENTRY_ORG is ${options.org}`, ErrorType.ProviderNotFound);
    }
    return address;
  }

  /** Classifies once, and makes a 429 pause every later write of the token. */
  function classified(error: unknown, what: string): ApplicationFailure {
    const failure = classifySentryError(error, what, now());
    if (failure.type === ErrorType.ProviderRateLimited) {
      const delay = failure.nextRetryDelay === undefined ? 60_000 : Number(failure.nextRetryDelay);
      budgets.pause([TOKEN_KEY], now() + (Number.isFinite(delay) ? delay : 60_000));
    }
    return failure;
  }

  /** A write through the budget; `onError` may answer instead of failing (Sentry's duplicate-comment 400), or give up (`undefined`). */
  async function write<T>(priority: WritePriority, what: string, request: () => Promise<T>, onError?: (error: unknown) => Promise<T | undefined> | undefined): Promise<T | undefined> {
    try {
      return await budgets.run(priority, [TOKEN_KEY], request);
    } catch (error) {
      if (error instanceof WriteBudgetExhausted) {
        throw ApplicationFailure.create({ message: `${what}: ${error.message}`, type: ErrorType.ProviderRateLimited, nextRetryDelay: error.retryAfterMs });
      }
      const handled = onError?.(error);
      if (handled !== undefined) return handled;
      throw classified(error, what);
    }
  }

  async function read<T>(what: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw classified(error, what);
    }
  }

  /** The task's comment among the issue's newest, by the `task <id>` marker of its footer. */
  async function findTaskComment(address: SentryAddress, taskId: string): Promise<string | undefined> {
    const marker = taskMarkerPattern(taskId);
    const notes = await read('looking for the task comment', () => client.comments(address.issueId));
    return notes.find((note) => marker.test(note.data?.text ?? ''))?.id;
  }

  return {
    provider: 'sentry',

    async react(_thread: ThreadRef, _messageId: string, _reaction: CommandReaction): Promise<void> {
      // Sentry has no reactions on comments: the task's own comment shows that it runs.
    },

    async reply(thread: ThreadRef, text: string): Promise<void> {
      const address = addressOf(thread);
      // The same reply twice within an hour is refused as a duplicate: it is on the issue already.
      await write('urgent', 'posting a reply', () => client.createComment(address.issueId, renderSentryReply(text)), (error) => (isDuplicateComment(error) ? Promise.resolve(undefined) : undefined));
    },

    async begin(task: TaskOnThread, begin: { mayExist: boolean; presence: TaskPresence }): Promise<{ presence: TaskPresence; context: PromptContext }> {
      const address = addressOf(task.thread);
      const issue = await read('reading the issue', () => client.issue(address.issueId));
      let event: SentryEvent | undefined;
      const notes: string[] = [];
      try {
        event = await client.latestEvent(address.issueId);
      } catch (error) {
        const failure = classified(error, 'reading the latest event');
        // No event (it aged out of retention): the agent still gets the issue; a passing failure is retried.
        if (failure.nonRetryable !== true) throw failure;
        notes.push(`(The issue's latest event could not be read: ${failure.message}.)`);
      }
      notes.unshift(stackTraceNote(issue, event, issue.permalink ?? task.thread.url));
      return { presence: begin.presence, context: { title: issue.title, notes } };
    },

    checkout(): Checkout | undefined {
      return undefined;
    },

    async show(task: TaskOnThread, presence: TaskPresence, view: TaskView, showOptions: ShowOptions): Promise<TaskPresence | undefined> {
      const address = addressOf(task.thread);
      const text = renderSentryTaskComment(task.header, view);
      // `unconfirmed`: an earlier attempt may have posted without our learning the id; once shown, that is settled.
      const { unconfirmed, ...known } = presence;
      let noteId = known.messageId;
      if (noteId === undefined && (showOptions.mayExist === true || unconfirmed === true)) noteId = await findTaskComment(address, task.header.taskId);
      if (noteId !== undefined) {
        const id = noteId;
        try {
          const updated = await write(showOptions.priority, 'updating the task comment', () => client.updateComment(address.issueId, id, text));
          return updated === undefined ? undefined : { ...known, messageId: id };
        } catch (error) {
          // Someone deleted the task's comment: the answer gets a new one rather than being lost.
          if (!(error instanceof ApplicationFailure && error.type === ErrorType.ProviderNotFound)) throw error;
        }
      }
      // "Already posted" means an earlier attempt's post landed without our learning its id: it is that comment.
      const posted = await write(showOptions.priority, 'posting the task comment', () => client.createComment(address.issueId, text), (error) => {
        if (!isDuplicateComment(error)) return undefined;
        return findTaskComment(address, task.header.taskId).then((id) => {
          if (id === undefined) throw classified(error, 'posting the task comment');
          return { id };
        });
      });
      return posted === undefined ? undefined : { ...known, messageId: posted.id };
    },

    /** Only members of the organization can comment on its issues, so whoever comments may decide. */
    mayApprove(thread: ThreadRef, _user: ThreadUser): Promise<boolean> {
      addressOf(thread);
      return Promise.resolve(true);
    },
  };
}
