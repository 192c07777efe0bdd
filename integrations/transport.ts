import type { CommandReaction, TaskHeader, TaskPresence, TaskView } from '../contracts/presence';
import type { ThreadRef } from '../contracts/thread';
import type { WritePriority } from './write-budget';

/** What to check out in a clone: a ref to fetch first (a PR's head), and the local branch to work on. */
export interface Checkout {
  /** e.g. `+refs/pull/42/head`; absent: the remote's default branch. */
  fetchRef?: string;
  branch: string;
}

/** A task as its thread shows it: the thread, what was asked, and when. */
export interface TaskOnThread {
  thread: ThreadRef;
  header: TaskHeader;
  /** The task's workflow id (GitHub check runs carry it back on a button click). */
  taskWorkflowId: string;
  /** ISO time the task started: a search for its message never looks further back than this. */
  startedAt: string;
}

/** What a provider adds to the agent's prompt about the thread (a PR's branches, an error's stack trace). */
export interface PromptContext {
  /** Title of the PR, issue or error, when the command did not carry it. */
  title?: string;
  /** Lines added to the prompt, in order. */
  notes: string[];
}

export interface ShowOptions {
  /** `progress` views may be skipped (answer `undefined`) when the write budget is short; others wait. */
  priority: WritePriority;
  /**
   * An earlier attempt may already have posted the task's message without our learning its id: look for
   * it (by its marker) before posting a new one.
   */
  mayExist?: boolean;
}

/** Someone who decides an approval, as the provider names them. */
export interface ThreadUser {
  /** Display name or login. */
  name: string;
  /** The provider's id (Slack `U…`, Jira account id), when it differs from the name. */
  id?: string;
}

/**
 * Everything the workflows ask of a provider, implemented once per provider in
 * `integrations/<provider>/transport.ts`. Failures are thrown as Temporal `ApplicationFailure`s that
 * the provider's errors module classified once: named non-retryable types for refusals (401, 403,
 * 404, ...), retryable with `nextRetryDelay` for rate limits, plain retryable for 5xx and the network.
 */
export interface ThreadTransport {
  readonly provider: string;
  /**
   * A reaction on the message that carried a command (👀 on acceptance, then the outcome). Idempotent.
   * Reactions are best effort, at progress priority: skipped, never waited for, when the credential's
   * write budget is short. The conversation waits for 👀 before it starts the task, and when a burst of
   * tasks ends the answers must have the budget; the answer says the outcome anyway.
   */
  react(thread: ThreadRef, messageId: string, reaction: CommandReaction): Promise<void>;
  /** A reply on the thread: status, help, refusals, reminders. Marked so it never reads as a command. */
  reply(thread: ThreadRef, text: string): Promise<void>;
  /**
   * Before the agent runs: whatever the provider shows for a starting task besides its message (GitHub:
   * a check run on the PR's head) and what the prompt should know about the thread.
   */
  begin(task: TaskOnThread, options: { mayExist: boolean; presence: TaskPresence }): Promise<{ presence: TaskPresence; context: PromptContext }>;
  /** What to check out in a clone of the thread's repository (GitHub: a PR's head), or the default branch. */
  checkout(thread: ThreadRef): Checkout | undefined;
  /**
   * Shows `view` as the task's message: posts it the first time (no `presence.messageId`), edits it in
   * place afterwards. Answers the presence as it now is, or `undefined` when a progress view was skipped.
   */
  show(task: TaskOnThread, presence: TaskPresence, view: TaskView, options: ShowOptions): Promise<TaskPresence | undefined>;
  /** Whether this person may approve or reject tasks on the thread. */
  mayApprove(thread: ThreadRef, user: ThreadUser): Promise<boolean>;
}

/** The transports of a process, by provider name. */
export class Transports {
  private readonly byProvider = new Map<string, ThreadTransport>();

  constructor(transports: readonly ThreadTransport[]) {
    for (const transport of transports) this.byProvider.set(transport.provider, transport);
  }

  /** @throws Error naming the provider when this process has no transport for it (not configured). */
  for(thread: Pick<ThreadRef, 'provider'>): ThreadTransport {
    const transport = this.byProvider.get(thread.provider);
    if (transport === undefined) {
      throw new Error(`no ${thread.provider} transport in this worker: configure ${thread.provider.toUpperCase()}_* settings on every worker`);
    }
    return transport;
  }

  get providers(): string[] {
    return [...this.byProvider.keys()];
  }
}
