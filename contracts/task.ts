import type { TargetRef } from './target';
import type { AgentWorkerRef } from './task-queues';
import type { ThreadRef } from './thread';

/** One `@agent <request>` accepted from a thread. */
export interface Command {
  /** Derived from the message's identity (see `taskIdFor`): every delivery of one message has the same. */
  taskId: string;
  /** Provider delivery id: a redelivery carries the same one and is dropped. */
  deliveryId: string;
  /**
   * Identity of the message that carried the command (`github:comment:123`, `slack:T1/C2/1700.0001`):
   * the same message delivered under other delivery ids (two webhooks, a re-sent event) runs once.
   * Absent in commands recorded before it existed.
   */
  messageKey?: string;
  request: string;
  /** Who asked, as people read it: a GitHub login, a Slack display name. */
  requester: string;
  /** The provider's id of who asked, when it differs from `requester` (Slack `U…`, Jira account id). */
  requesterId?: string;
  /** The provider's id of the message that carried the command (reactions go on it). */
  messageId?: string;
  /** GitHub only, and only for conversations started before `messageId`: the comment's number. */
  commentId?: number;
  /** Link to the comment or thread, for the prompt and the UI. */
  url: string;
  /** Title of the PR or issue, for the prompt. */
  title?: string;
  /** `owner/repo` named in the request (`@agent in acme/widgets ...`): the thread works there from now on. */
  repo?: string;
  /** What the comment asks for; absent means `run` (commands recorded before actions existed). */
  action?: ThreadAction;
  /** The command's name (`review`, `fix`, ...), for the UI and `retry`. */
  commandName?: string;
  /** A planning pass and a person's approval come first. */
  needsApproval?: boolean;
  /** `defer`: when the request runs (ISO time). */
  runAt?: string;
  /** `reject`: the reason given. */
  reason?: string;
  /** For `approve`/`reject`: the gateway checked the author may decide. */
  trusted?: boolean;
  /** For `help`/`unknown`: the reply, written by the gateway (it knows the configured commands). */
  helpText?: string;
  receivedAt: string;
}

/** What an `@agent` comment asks of the thread. */
export type ThreadAction = 'run' | 'defer' | 'status' | 'cancel' | 'cancel_all' | 'retry' | 'approve' | 'reject' | 'help' | 'unknown';

export type TaskOutcome = 'succeeded' | 'failed' | 'cancelled' | 'rejected' | 'expired';

/** Input of the per-task child workflow. */
export interface TaskWorkflowInput {
  /** The thread; runs started before threads existed carry `target` instead. */
  thread?: ThreadRef;
  /** @deprecated the pre-thread GitHub shape, still read from recorded runs. */
  target?: TargetRef;
  targetWorkflowId: string;
  command: Command;
  /** The agent session to resume, if an earlier task on this target left one. */
  agentSessionId?: string;
  /** That session's running totals as its CLI last reported them (codex reports per thread). */
  agentSessionUsage?: AgentUsage;
  /** The conversation already reacted 👀 on the command's message (it was queued behind another task). */
  acknowledged?: boolean;
  /** The repository the thread works on, when it differs from the thread's own (an `in owner/repo` request). */
  repo?: string;
  /** The worker that holds the thread's workspace and agent session; absent: any worker (a shared data dir, or the first task). */
  agentWorker?: AgentWorkerRef;
  /** The thread's earlier requests and outcomes, one line each: the prompt gets it when the agent session had to restart. */
  threadSummary?: string;
}

/** Cost and size of one agent run, as far as the agent reports them. */
export interface AgentUsage {
  costUsd?: number;
  inputTokens?: number;
  outputTokens?: number;
  turns?: number;
}

/** What the task child workflow returns to the target workflow. */
export interface TaskResult {
  taskId: string;
  outcome: TaskOutcome;
  durationMs: number;
  usage: AgentUsage;
  agentSessionId?: string;
  agentSessionUsage?: AgentUsage;
  /** Short reason for a failure or cancellation. */
  reason?: string;
  /**
   * Where the thread's workspace and session now live: a worker, or `any` when every worker reaches them
   * (a shared data dir). Absent when no agent ran to its end (nothing changed).
   */
  agentWorker?: AgentWorkerRef | 'any';
}

/** Live progress of a running agent: small by design, it travels in heartbeats and signals. */
export interface AgentProgress {
  stage: string;
  lineCount: number;
  lastLines: string[];
  costUsd?: number;
  updatedAt: string;
}

export const MAX_PROGRESS_LINES = 20;

/** Branches of a pull request: the prompt names them and the workspace checks out the head. */
export interface PullRequestRefs {
  baseRef: string;
  headRef: string;
}
