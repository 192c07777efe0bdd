import type { z } from 'zod';
import { messageKey, taskIdFor, type ThreadRef } from '../../contracts/thread';
import { extractMentionRequest } from '../mention';
import type { RoutedEvent } from '../routed-event';
import { parseThreadCommand, type CommandPolicy } from '../thread-command';
import { AGENT_BOT_MARKER_PREFIX } from './task-comment';
import { githubThread, type GithubAddress } from './thread';
import {
  describeIssues,
  issueClosedSchema,
  issueCommentCreatedSchema,
  issueCommentEditedSchema,
  pullRequestClosedSchema,
  checkRunRequestedActionSchema,
  type IssueCommentCreated,
} from './webhook-schemas';

export interface RoutingPolicy extends CommandPolicy {
  allowedUsers: readonly string[];
  botLogin: string | undefined;
}

/** What a verified GitHub delivery asks of us. */
export type GithubAction = RoutedEvent;

const TRUSTED_ASSOCIATIONS = new Set(['OWNER', 'MEMBER', 'COLLABORATOR']);

/** The events agent-bot acts on; each of their payloads carries an `action` (GitHub's webhook events reference). */
const EVENTS_WITH_ACTION = new Set(['issue_comment', 'check_run', 'pull_request', 'issues']);

/** What stood where `action` was expected, for the 400's message. */
function describeValue(action: unknown, payload: unknown): string {
  if (typeof payload !== 'object' || payload === null) return payload === null ? 'a null body' : `a JSON ${Array.isArray(payload) ? 'array' : typeof payload} body`;
  if (Array.isArray(payload)) return 'a JSON array body';
  return action === undefined ? 'nothing' : typeof action;
}

/** Maps an event to an action: pure, so every routing rule is tested without a server. */
export function routeGithubEvent(
  event: string,
  deliveryId: string,
  payload: unknown,
  policy: RoutingPolicy,
  now: Date = new Date(),
): RoutedEvent {
  if (event === 'ping') return { kind: 'ping' };
  const action = typeof payload === 'object' && payload !== null ? (payload as { action?: unknown }).action : undefined;
  // GitHub always sends these with an `action`: a body without one is not GitHub's, and says so.
  if (EVENTS_WITH_ACTION.has(event) && typeof action !== 'string') {
    return { kind: 'invalid', message: `${event} payload: action: expected a string (got ${describeValue(action, payload)})` };
  }

  if (event === 'issue_comment') {
    if (action === 'created') {
      const parsed = issueCommentCreatedSchema.safeParse(payload);
      if (!parsed.success) return { kind: 'invalid', message: `issue_comment payload: ${describeIssues(parsed.error)}` };
      return routeComment(parsed.data, deliveryId, policy, now, undefined);
    }
    if (action === 'edited') {
      const parsed = issueCommentEditedSchema.safeParse(payload);
      if (!parsed.success) return { kind: 'invalid', message: `issue_comment payload: ${describeIssues(parsed.error)}` };
      // An edit is a new command only when the earlier text asked nothing: fixing a typo in a request that
      // already ran must not run it again.
      if (extractMentionRequest(parsed.data.changes.body?.from ?? '', policy.mention) !== undefined) {
        return { kind: 'ignored', reason: 'edited comment already held a command' };
      }
      return routeComment(parsed.data, deliveryId, policy, now, parsed.data.comment.updated_at);
    }
    return { kind: 'ignored', reason: `issue_comment.${String(action)} is not handled` };
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
    return { kind: 'close', thread: threadOf(repository, number, 'pull_request'), reason: 'pull request closed' };
  }
  if (event === 'issues' && action === 'closed') {
    const parsed = issueClosedSchema.safeParse(payload);
    if (!parsed.success) return { kind: 'invalid', message: `issues payload: ${describeIssues(parsed.error)}` };
    const { repository, issue } = parsed.data;
    return { kind: 'close', thread: threadOf(repository, issue.number, 'issue'), reason: 'issue closed' };
  }
  return { kind: 'ignored', reason: `${event}${typeof action === 'string' ? `.${action}` : ''} is not handled` };
}

/**
 * A comment that mentions the bot. Its identity (the comment id, and for an edit the time of that
 * version) makes the task id and the message key: the same comment delivered by two webhooks (a
 * repository hook and an App hook) or redelivered runs once.
 */
function routeComment(payload: Omit<IssueCommentCreated, 'action'>, deliveryId: string, policy: RoutingPolicy, now: Date, editedAt: string | undefined): RoutedEvent {
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
  const parsed = parseThreadCommand(text, { ...policy, namesRepository: false }, now);
  const isDecision = parsed.action === 'approve' || parsed.action === 'reject';
  // An untrusted approval is not ignored but refused on the thread: the task checks the author's permission.
  if (!trusted && !isDecision) return { kind: 'ignored', reason: `author ${login} (${comment.author_association}) is not trusted` };

  const kind = issue.pull_request === undefined ? 'issue' : 'pull_request';
  const identity = editedAt === undefined ? `comment:${comment.id}` : `comment:${comment.id}@${editedAt}`;
  const thread = threadOf(repository, issue.number, kind, issue.html_url);
  // The thread's repository is the comment's own: a `repo:` word cannot point a GitHub thread elsewhere,
  // and a request naming another repository is answered with why, not run here in silence.
  const here = `${repository.owner.login}/${repository.name}`;
  const command = parsed.repo !== undefined && parsed.repo.toLowerCase() !== here.toLowerCase()
    ? { ...parsed, action: 'unknown' as const, helpText: `On GitHub I work on the repository of the issue or pull request, \`${here}\`: ask on an issue or pull request of \`${parsed.repo}\` to work there.` }
    : { ...parsed };
  delete command.repo;
  return {
    kind: 'command',
    thread,
    ...(isDecision ? { signalOnly: true } : {}),
    command: {
      ...command,
      taskId: taskIdFor('github', editedAt === undefined ? `c${comment.id}` : `c${comment.id}-${editedAt.replace(/\D/g, '')}`),
      deliveryId,
      messageKey: messageKey('github', identity),
      requester: login,
      messageId: String(comment.id),
      commentId: comment.id,
      url: comment.html_url ?? issue.html_url ?? '',
      ...(issue.title === undefined ? {} : { title: issue.title }),
      ...(isDecision ? { trusted } : {}),
      receivedAt: now.toISOString(),
    },
  };
}

function routeCheckRunAction(payload: z.infer<typeof checkRunRequestedActionSchema>): RoutedEvent {
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

function threadOf(repository: { name: string; owner: { login: string } }, number: number, kind: GithubAddress['kind'], url?: string): ThreadRef {
  return githubThread({ owner: repository.owner.login, repo: repository.name, number, kind }, url);
}

function sameLogin(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
