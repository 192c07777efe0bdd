import type { TargetRef } from './target';

/** One `@agent <request>` accepted from a thread. */
export interface Command {
  taskId: string;
  /** Provider delivery id: a redelivery carries the same one and is dropped. */
  deliveryId: string;
  request: string;
  requester: string;
  /** The comment that carried the command, for reactions. */
  commentId: number;
  /** Link to the comment or thread, for the prompt and the UI. */
  url: string;
  /** Title of the PR or issue, for the prompt. */
  title?: string;
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
  target: TargetRef;
  targetWorkflowId: string;
  command: Command;
  /** The agent session to resume, if an earlier task on this target left one. */
  agentSessionId?: string;
  /** That session's running totals as its CLI last reported them (codex reports per thread). */
  agentSessionUsage?: AgentUsage;
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
