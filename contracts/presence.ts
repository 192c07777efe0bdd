import type { AgentUsage, TaskOutcome } from './task';
import type { ThreadRef } from './thread';

export type { TaskOutcome };

/**
 * Where a task shows on its thread, as the provider's transport left it. Small by design: it is
 * recorded in the workflow's history with every activity that returns it.
 */
export interface TaskPresence {
  /** The task's own message (a comment id, a Slack `ts`, ...), once it is posted. */
  messageId?: string;
  /** Transport state (a check run id, a head sha, a channel), read only by the transport that wrote it. */
  state?: Readonly<Record<string, string | number | boolean>>;
  /**
   * An earlier attempt may have posted the task's message without our learning its id (a worker died, a
   * timeout after the provider wrote): the next post must look for it first.
   */
  unconfirmed?: boolean;
}

/** Who decided an approval, as shown in the task's final message. */
export interface DecisionNote {
  decision: 'approve' | 'reject';
  by: string;
  via: string;
}

/**
 * What the task's message says, in neutral terms. Each provider's transport renders it in its own
 * format (GitHub Markdown, Slack mrkdwn and blocks, Jira's ADF, ...): workflows never format text for
 * a provider.
 */
export type TaskView =
  | {
      phase: 'working';
      stage: string;
      /** Since the task started, in ms. */
      elapsedMs: number;
      lastLine?: string;
      /** USD so far, as the agent reports it. */
      costUsd?: number;
      /** What the agent itself says it is doing (its `update-progress-note` tool), shown until it changes. */
      note?: string;
    }
  | {
      phase: 'plan';
      plan: string;
      /** ISO time at which the wait ends as expired. */
      deadline: string;
    }
  | {
      phase: 'final';
      outcome: TaskOutcome;
      /** The agent's answer on success, the reason otherwise. */
      text: string;
      durationMs: number;
      usage: AgentUsage;
      /** True when `text` is only the beginning of the answer; the whole answer is at `answerPath`. */
      truncated?: boolean;
      /** Length of the whole answer (characters), when `text` is only its beginning. */
      answerChars?: number;
      /** Full answer (or log) on the agent-bot server, relative to AGENT_BOT_DATA_DIR. */
      answerPath?: string;
      decision?: DecisionNote;
      /** Something the reader should know, e.g. that the agent's session was restarted. */
      note?: string;
    };

/** The task a message belongs to: what every rendering of a `TaskView` needs besides the view. */
export interface TaskHeader {
  taskId: string;
  request: string;
  requester: string;
  /** Link to the task's run in the Temporal UI. */
  runUrl: string;
  /** The configured mention (`@agent`), for "reply `@agent approve`" hints. */
  mention: string;
}

/** Reactions agent-bot puts on the message that carried a command. */
export type CommandReaction = 'accepted' | 'succeeded' | 'failed';

/** A task and its thread, as activities that show it receive it (they add the run link and the mention). */
export interface TaskRef {
  thread: ThreadRef;
  taskId: string;
  taskWorkflowId: string;
  request: string;
  requester: string;
  /** ISO time the task started. */
  startedAt: string;
}
