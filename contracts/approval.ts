/** Where an approval or rejection came from: recorded in the task's history and its final comment. */
export type ApprovalChannel = 'comment' | 'check_run' | 'button' | 'api' | 'cli' | 'mcp';

/** A person's decision on a task that waits for approval. */
export interface ApprovalDecision {
  decision: 'approve' | 'reject';
  /** GitHub login, Slack display name, or the operator's name for the API and the CLI. */
  by: string;
  /** The provider's id of the person (Slack `U…`, Discord user id), when it differs from `by`. */
  byId?: string;
  via: ApprovalChannel;
  reason?: string;
  /** True when the channel already checked that `by` may approve (API token, operator CLI). */
  trusted?: boolean;
}

/** What the approval update answers at once. */
export interface ApprovalAck {
  taskId: string;
  decision: ApprovalDecision['decision'];
  by: string;
}
