import type { TargetRef } from '../../contracts/target';
import { taskIdFromDelivery } from '../../contracts/target';
import type { Command } from '../../contracts/task';
import { extractMentionRequest } from '../../integrations/github/command-text';
import { AGENT_BOT_MARKER_PREFIX } from '../../integrations/github/task-comment';
import {
  describeIssues,
  issueClosedSchema,
  issueCommentCreatedSchema,
  pullRequestClosedSchema,
  type IssueCommentCreated,
} from '../../integrations/github/webhook-schemas';

export interface RoutingPolicy {
  mention: string;
  allowedUsers: readonly string[];
  botLogin: string | undefined;
}

/** What a verified GitHub delivery asks of us. */
export type GithubAction =
  | { kind: 'command'; target: TargetRef; command: Command }
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
  const request = extractMentionRequest(body, policy.mention);
  if (request === undefined) return { kind: 'ignored', reason: `no ${policy.mention} command in the comment` };
  const trusted = TRUSTED_ASSOCIATIONS.has(comment.author_association) || policy.allowedUsers.some((user) => sameLogin(user, login));
  if (!trusted) return { kind: 'ignored', reason: `author ${login} (${comment.author_association}) is not trusted` };

  const kind = issue.pull_request === undefined ? 'issue' : 'pull_request';
  return {
    kind: 'command',
    target: targetOf(repository, issue.number, kind),
    command: {
      taskId: taskIdFromDelivery('github', deliveryId),
      deliveryId,
      request,
      requester: login,
      commentId: comment.id,
      url: comment.html_url ?? issue.html_url ?? '',
      ...(issue.title === undefined ? {} : { title: issue.title }),
      receivedAt: now.toISOString(),
    },
  };
}

function targetOf(repository: { name: string; owner: { login: string } }, number: number, kind: TargetRef['kind']): TargetRef {
  return { provider: 'github', owner: repository.owner.login, repo: repository.name, number, kind };
}

function sameLogin(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
