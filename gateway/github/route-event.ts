import type { ApprovalDecision } from '../../contracts/approval';
import type { TargetRef } from '../../contracts/target';
import { taskIdFromDelivery } from '../../contracts/target';
import type { Command } from '../../contracts/task';
import type { z } from 'zod';
import { extractMentionRequest } from '../../integrations/github/command-text';
import { AGENT_BOT_MARKER_PREFIX } from '../../integrations/github/task-comment';
import {
  describeIssues,
  issueClosedSchema,
  issueCommentCreatedSchema,
  pullRequestClosedSchema,
  checkRunRequestedActionSchema,
  type IssueCommentCreated,
} from '../../integrations/github/webhook-schemas';
import { parseThreadCommand, type CommandPolicy } from './thread-command';

export interface RoutingPolicy extends CommandPolicy {
  allowedUsers: readonly string[];
  botLogin: string | undefined;
}

/** What a verified GitHub delivery asks of us. */
export type GithubAction =
  /** `signalOnly`: acts on a running thread but never starts one (approvals, untrusted authors). */
  | { kind: 'command'; target: TargetRef; command: Command; signalOnly?: boolean }
  /** A check run button: a decision for the task workflow the check run belongs to. */
  | { kind: 'decision'; taskWorkflowId: string; decision: ApprovalDecision }
  | { kind: 'close'; target: TargetRef; reason: string }
  | { kind: 'ping' }
  | { kind: 'ignored'; reason: string }
  | { kind: 'invalid'; message: string };

const TRUSTED_ASSOCIATIONS = new Set(['OWNER', 'MEMBER', 'COLLABORATOR']);

/** Maps an event to an action: pure, so every routing rule is tested without a server. */
export function routeGithubEvent(
  event: string,
  deliveryId: string,
  payload: unknown,
  policy: RoutingPolicy,
  now: Date = new Date(),
): GithubAction {
  if (event === 'ping') return { kind: 'ping' };
  const action = typeof payload === 'object' && payload !== null ? (payload as { action?: unknown }).action : undefined;

  if (event === 'issue_comment') {
    if (action !== 'created') return { kind: 'ignored', reason: `issue_comment.${String(action)} is not handled` };
    const parsed = issueCommentCreatedSchema.safeParse(payload);
    if (!parsed.success) return { kind: 'invalid', message: `issue_comment payload: ${describeIssues(parsed.error)}` };
    return routeComment(parsed.data, deliveryId, policy, now);
  }
  if (event === 'check_run') {
    if (action !== 'requested_action') return { kind: 'ignored', reason: `check_run.${String(action)} is not handled` };
    const parsed = checkRunRequestedActionSchema.safeParse(payload);
    if (!parsed.success) return { kind: 'invalid', message: `check_run payload: ${describeIssues(parsed.error)}` };
    return routeCheckRunAction(parsed.data);
  }
  if (event === 'pull_request' && action === 'closed') {
    const parsed = pullRequestClosedSchema.safeParse(payload);
    if (!parsed.success) return { kind: 'invalid', message: `pull_request payload: ${describeIssues(parsed.error)}` };
    const { repository, number } = parsed.data;
    return { kind: 'close', target: targetOf(repository, number, 'pull_request'), reason: 'pull request closed' };
  }
  if (event === 'issues' && action === 'closed') {
    const parsed = issueClosedSchema.safeParse(payload);
    if (!parsed.success) return { kind: 'invalid', message: `issues payload: ${describeIssues(parsed.error)}` };
    const { repository, issue } = parsed.data;
    return { kind: 'close', target: targetOf(repository, issue.number, 'issue'), reason: 'issue closed' };
  }
  return { kind: 'ignored', reason: `${event}${typeof action === 'string' ? `.${action}` : ''} is not handled` };
}

function routeComment(payload: IssueCommentCreated, deliveryId: string, policy: RoutingPolicy, now: Date): GithubAction {
  const { comment, issue, repository } = payload;
  const body = comment.body ?? '';
  const login = comment.user.login;
  if (body.includes(AGENT_BOT_MARKER_PREFIX) || (policy.botLogin !== undefined && sameLogin(login, policy.botLogin))) {
    return { kind: 'ignored', reason: 'comment written by agent-bot' };
  }
  if (comment.user.type === 'Bot' || login.endsWith('[bot]')) return { kind: 'ignored', reason: 'comment written by a bot' };
  const text = extractMentionRequest(body, policy.mention);
  if (text === undefined) return { kind: 'ignored', reason: `no ${policy.mention} command in the comment` };
  const trusted = TRUSTED_ASSOCIATIONS.has(comment.author_association) || policy.allowedUsers.some((user) => sameLogin(user, login));
  const parsed = parseThreadCommand(text, policy, now);
  const isDecision = parsed.action === 'approve' || parsed.action === 'reject';
  // An untrusted approval is not ignored but refused on the thread: the task checks the author's permission.
  if (!trusted && !isDecision) return { kind: 'ignored', reason: `author ${login} (${comment.author_association}) is not trusted` };

  const kind = issue.pull_request === undefined ? 'issue' : 'pull_request';
  return {
    kind: 'command',
    target: targetOf(repository, issue.number, kind),
    ...(isDecision ? { signalOnly: true } : {}),
    command: {
      ...parsed,
      taskId: taskIdFromDelivery('github', deliveryId),
      deliveryId,
      requester: login,
      commentId: comment.id,
      url: comment.html_url ?? issue.html_url ?? '',
      ...(issue.title === undefined ? {} : { title: issue.title }),
      ...(isDecision ? { trusted } : {}),
      receivedAt: now.toISOString(),
    },
  };
}

function routeCheckRunAction(payload: z.infer<typeof checkRunRequestedActionSchema>): GithubAction {
  const identifier = payload.requested_action.identifier;
  if (identifier !== 'approve' && identifier !== 'reject') return { kind: 'ignored', reason: `check run action ${identifier} is not handled` };
  const taskWorkflowId = payload.check_run.external_id ?? '';
  // The button must belong to a task of this very repository: never let one repo decide another's task.
  const prefix = `github:${payload.repository.owner.login}/${payload.repository.name}#`;
  if (!taskWorkflowId.startsWith(prefix) || !taskWorkflowId.includes('/task/')) {
    return { kind: 'ignored', reason: 'check run is not an agent-bot task of this repository' };
  }
  return { kind: 'decision', taskWorkflowId, decision: { decision: identifier, by: payload.sender.login, via: 'check_run', trusted: false } };
}

function targetOf(repository: { name: string; owner: { login: string } }, number: number, kind: TargetRef['kind']): TargetRef {
  return { provider: 'github', owner: repository.owner.login, repo: repository.name, number, kind };
}

function sameLogin(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
