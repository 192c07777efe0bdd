/**
 * A conversation agent-bot takes part in, on any provider: a GitHub PR or issue, a Slack thread, a Jira
 * issue, a Sentry issue, a Discord thread, or a thread of the HTTP API. Workflows carry it as data and
 * never look inside `address`: only the provider's own transport reads that.
 */
export interface ThreadRef {
  /** `github`, `slack`, `jira`, `sentry`, `discord` or `api`. */
  provider: string;
  /**
   * The provider's identity of the conversation, stable for its whole life: `acme/widgets#42`,
   * `T0123/C0456/1700000000.000100`. The conversation's workflow id is `<provider>:<key>`.
   */
  key: string;
  /** For people and the UI: `acme/widgets#42`, `#eng thread 1700000000.000100`, `PROJ-12`. */
  label: string;
  /** What the thread is, for prompts and summaries: `pull request`, `issue`, `Slack thread`, ... */
  kind: string;
  /** Link to the conversation, when the provider has one. */
  url?: string;
  /** `owner/repo` the agent works on. Absent: the agent runs in an empty workspace, and says so. */
  repo?: string;
  /** What the provider's transport needs to reach the thread (ids, numbers), validated there. */
  address: Readonly<Record<string, string | number | boolean>>;
}

/** Every provider a thread can come from: the values of `ThreadRef.provider` and the `AgentProvider` search attribute. */
export const THREAD_PROVIDERS = ['github', 'slack', 'jira', 'sentry', 'discord', 'api'] as const;

/** `github:acme/widgets#42`: the id of the long-lived conversation workflow of one thread. */
export function threadWorkflowId(thread: Pick<ThreadRef, 'provider' | 'key'>): string {
  return `${thread.provider}:${thread.key}`;
}

/** `github:acme/widgets#42/task/<taskId>`: each task is a child workflow with its own page in the UI. */
export function taskWorkflowId(conversationWorkflowId: string, taskId: string): string {
  return `${conversationWorkflowId}/task/${taskId}`;
}

/** Short prefixes of task ids, so a task id says where it came from (`gh-…`, `sl-…`). */
const TASK_ID_PREFIX: Readonly<Record<string, string>> = { github: 'gh', slack: 'sl', jira: 'jr', sentry: 'sn', discord: 'dc', api: 'api' };

/**
 * A task id derived from the identity of the message that carried the command, so every delivery of
 * that message (a retry, a second webhook, a re-sent event) maps to the same task, and the gateway can
 * answer each with the same id without asking anyone. Only `[A-Za-z0-9-]`, at most 80 characters.
 */
export function taskIdFor(provider: string, messageIdentity: string): string {
  const prefix = TASK_ID_PREFIX[provider] ?? provider.replace(/[^a-z0-9]/gi, '').slice(0, 8);
  const safe = messageIdentity.replace(/[^A-Za-z0-9-]/g, '-').replace(/-+/g, '-').replace(/^-|-$/g, '');
  return `${prefix}-${safe}`.slice(0, 80);
}

/** `github:comment:123@2026-01-01T00:00:00Z`: one message (and one version of it, for edits) runs once. */
export function messageKey(provider: string, messageIdentity: string): string {
  return `${provider}:${messageIdentity}`;
}
