import type { ThreadRef } from '../contracts/thread';

/** One message of a thread (a comment, a Slack reply), oldest first. */
export interface ThreadMessage {
  /** The provider's id of the message. */
  id: string;
  /** Login or display name. */
  author: string;
  /** True for messages agent-bot itself wrote (its task messages and replies). */
  fromAgentBot: boolean;
  body: string;
  /** ISO time. */
  createdAt: string;
  url?: string;
}

/** A thread as the agent reads it: what it is about, and its latest messages. */
export interface ThreadContent {
  /** The PR's or issue's title, the Slack thread's first line, the Jira summary... */
  title: string;
  /** The opening text (a PR or issue description, the thread's first message). */
  body: string;
  /** `open`, `closed`, `merged`, ... when the provider has a state. */
  state?: string;
  author?: string;
  url?: string;
  /** The latest messages, oldest first (at most the `maxMessages` asked for). */
  messages: ThreadMessage[];
  /** Messages on the thread in all; more than `messages.length` when older ones were left out. */
  totalMessages: number;
}

/** One changed file of a pull request (or merge request). */
export interface ChangedFile {
  path: string;
  /** `added`, `modified`, `removed`, `renamed`, ... as the provider says. */
  status: string;
  additions: number;
  deletions: number;
  /** The old path of a renamed file. */
  previousPath?: string;
  /**
   * The file's unified diff hunks; absent when the provider gives none (binary, too large) or when the
   * read's character budget ran out before this file.
   */
  patch?: string;
}

/** The changes of a thread's pull request. */
export interface ThreadChanges {
  baseRef: string;
  headRef: string;
  headSha: string;
  files: ChangedFile[];
  /** True when some patches were left out to stay within the character budget. */
  truncated: boolean;
}

/** One frame of a stack trace, innermost last (as Sentry sends them). */
export interface StackFrame {
  filename?: string;
  function?: string;
  module?: string;
  lineno?: number;
  colno?: number;
  /** The frame is in the application's own code (not a library). */
  inApp?: boolean;
  /** The source line, when the provider has it. */
  contextLine?: string;
}

/** The latest event of an error issue (Sentry): what was thrown and where. */
export interface StackTrace {
  eventId: string;
  /** ISO time of the event. */
  occurredAt?: string;
  exceptions: { type: string; value?: string; frames: StackFrame[] }[];
}

/**
 * What the agent's thread tools read from a provider, beside what `ThreadTransport` writes: one
 * implementation per provider in `integrations/<provider>/reader.ts`, built on that provider's client
 * (the same one its transport uses). Every read is of the one thread given; methods a provider cannot
 * answer are absent (a Slack thread has no diff). Failures are thrown as the provider's classified
 * `ApplicationFailure`s, whose message names the provider's answer.
 */
export interface ThreadReader {
  readonly provider: string;
  /** The thread and its latest `maxMessages` messages. */
  readThread(thread: ThreadRef, options: { maxMessages: number }): Promise<ThreadContent>;
  /**
   * A pull request's changed files with their patches, at most `maxChars` characters of patches in all;
   * `path` keeps one file.
   * @throws Error when the thread is not a pull request.
   */
  readChanges?(thread: ThreadRef, options: { maxChars: number; path?: string }): Promise<ThreadChanges>;
  /** The latest event's stack trace of an error issue. */
  readStackTrace?(thread: ThreadRef): Promise<StackTrace>;
}

/** The thread readers of a process, by provider name. */
export class ThreadReaders {
  private readonly byProvider = new Map<string, ThreadReader>();

  constructor(readers: readonly ThreadReader[]) {
    for (const reader of readers) this.byProvider.set(reader.provider, reader);
  }

  /** The provider's reader, or undefined when it has none (yet). */
  for(thread: Pick<ThreadRef, 'provider'>): ThreadReader | undefined {
    return this.byProvider.get(thread.provider);
  }
}
