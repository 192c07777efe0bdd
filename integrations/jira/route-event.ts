import type { Command } from '../../contracts/task';
import { messageKey, taskIdFor } from '../../contracts/thread';
import { signedByAgentBot } from '../agent-bot-signature';
import { extractMentionRequest } from '../mention';
import { refuseUnlistedRepo } from '../repo-refusal';
import type { RoutedEvent } from '../routed-event';
import { parseThreadCommand, type CommandPolicy } from '../thread-command';
import { jiraText } from './comment-text';
import { jiraThread, projectKeyOf, type JiraSite } from './thread';
import {
  anyJiraEventSchema,
  commentCreatedSchema,
  describeIssues,
  issueCreatedSchema,
  issueDeletedSchema,
  issueUpdatedSchema,
  type CommentCreated,
  type JiraUser,
  type JiraWebhookIssue,
} from './webhook-schemas';

/** How Jira deliveries become commands: the command language, the site, and who the bot is. */
export interface JiraRoutingPolicy extends CommandPolicy, JiraSite {
  /** agent-bot's own account: its comments never trigger, and `[~accountid:<it>]` mentions the bot. */
  accountId: string | undefined;
  /** An issue created with this label, or given it later, starts a task. */
  triggerLabel: string | undefined;
}

/**
 * Maps a verified Jira delivery to what the gateway does: pure, so every rule is tested without a server.
 * `deliveryId` is the `X-Atlassian-Webhook-Identifier` (the same on Jira's retries); task ids and message
 * keys come from the comment or the issue change itself, so every delivery of one of them runs once.
 */
export function routeJiraEvent(deliveryId: string, payload: unknown, policy: JiraRoutingPolicy, now: Date = new Date()): RoutedEvent {
  const any = anyJiraEventSchema.safeParse(payload);
  if (!any.success) return { kind: 'invalid', message: `Jira payload: ${describeIssues(any.error)}` };
  const event = any.data.webhookEvent;
  switch (event) {
    case 'comment_created': {
      const parsed = commentCreatedSchema.safeParse(payload);
      if (!parsed.success) return { kind: 'invalid', message: `comment_created payload: ${describeIssues(parsed.error)}` };
      return routeComment(parsed.data, deliveryId, policy, now);
    }
    case 'jira:issue_created': {
      const parsed = issueCreatedSchema.safeParse(payload);
      if (!parsed.success) return { kind: 'invalid', message: `jira:issue_created payload: ${describeIssues(parsed.error)}` };
      const { issue, user } = parsed.data;
      if (policy.triggerLabel === undefined) return { kind: 'ignored', reason: 'no JIRA_TRIGGER_LABEL is set' };
      if (!hasLabel(issue.fields.labels ?? [], policy.triggerLabel)) return { kind: 'ignored', reason: `the issue has no ${policy.triggerLabel} label` };
      return routeTrigger(issue, user, `i${issue.id}`, deliveryId, policy, now);
    }
    case 'jira:issue_updated': {
      const parsed = issueUpdatedSchema.safeParse(payload);
      if (!parsed.success) return { kind: 'invalid', message: `jira:issue_updated payload: ${describeIssues(parsed.error)}` };
      const { issue, user, changelog } = parsed.data;
      if (policy.triggerLabel === undefined) return { kind: 'ignored', reason: 'no JIRA_TRIGGER_LABEL is set' };
      const label = policy.triggerLabel;
      const added = (changelog?.items ?? []).some(
        (item) => item.field.toLowerCase() === 'labels' && hasLabel(words(item.toString), label) && !hasLabel(words(item.fromString), label),
      );
      if (!added) return { kind: 'ignored', reason: `the update does not add the ${label} label` };
      // Each addition of the label is its own request (taking it off and on again asks again).
      return routeTrigger(issue, user, `i${issue.id}-l${changelog?.id ?? deliveryId}`, deliveryId, policy, now);
    }
    case 'jira:issue_deleted': {
      const parsed = issueDeletedSchema.safeParse(payload);
      if (!parsed.success) return { kind: 'invalid', message: `jira:issue_deleted payload: ${describeIssues(parsed.error)}` };
      return { kind: 'close', thread: jiraThread(policy, parsed.data.issue.key), reason: 'issue deleted' };
    }
    default:
      return { kind: 'ignored', reason: `${event} is not handled` };
  }
}

/** A comment that mentions the bot (by `AGENT_BOT_MENTION` or by its account id) is a command on its issue. */
function routeComment(payload: CommentCreated, deliveryId: string, policy: JiraRoutingPolicy, now: Date): RoutedEvent {
  const { comment, issue } = payload;
  const author = comment.author;
  if (policy.accountId !== undefined && author.accountId === policy.accountId) return { kind: 'ignored', reason: 'comment written by agent-bot' };
  const text = jiraText(comment.body, { accountId: policy.accountId, mention: policy.mention });
  if (signedByAgentBot(text)) return { kind: 'ignored', reason: 'comment written by agent-bot' };
  // Jira Service Management customers comment through the portal; they may not run an agent on the team's code.
  if (author.accountType === 'customer') return { kind: 'ignored', reason: 'comment written by a service desk customer' };
  const request = extractMentionRequest(text, policy.mention);
  if (request === undefined) return { kind: 'ignored', reason: `no ${policy.mention} command in the comment` };

  const thread = jiraThread(policy, issue.key);
  const parsed = parseThreadCommand(request, policy, now);
  const isDecision = parsed.action === 'approve' || parsed.action === 'reject';
  const command = refuseUnlistedRepo(parsed, { settingName: 'JIRA_PROJECT_REPOS', place: `project ${projectKeyOf(issue.key)}`, mapping: policy.projectRepos, mapped: thread.repo });
  return {
    kind: 'command',
    thread,
    ...(isDecision ? { signalOnly: true } : {}),
    command: {
      ...command,
      taskId: taskIdFor('jira', `c${comment.id}`),
      deliveryId,
      messageKey: messageKey('jira', `${policy.site}/comment:${comment.id}`),
      ...requesterOf(author),
      url: `${thread.url}?focusedCommentId=${comment.id}`,
      ...(issue.fields.summary === undefined ? {} : { title: issue.fields.summary }),
      // Who may decide is checked by the task (EDIT_ISSUES on the issue): a comment carries no permission.
      ...(isDecision ? { trusted: false } : {}),
      receivedAt: now.toISOString(),
    },
  };
}

/** An issue that got the trigger label: its summary and description are the request, run as the default command. */
function routeTrigger(issue: JiraWebhookIssue, user: JiraUser | undefined, identity: string, deliveryId: string, policy: JiraRoutingPolicy, now: Date): RoutedEvent {
  if (user !== undefined && policy.accountId !== undefined && user.accountId === policy.accountId) return { kind: 'ignored', reason: 'change made by agent-bot' };
  const thread = jiraThread(policy, issue.key);
  const summary = issue.fields.summary?.trim() ?? '';
  const description = jiraText(issue.fields.description, { accountId: policy.accountId, mention: policy.mention });
  const request = [summary, description].filter((part) => part !== '').join('\n\n') || issue.key;
  const commandName = policy.defaultCommand;
  return {
    kind: 'command',
    thread,
    command: {
      action: 'run',
      request,
      ...(commandName === undefined ? {} : { commandName, needsApproval: policy.commands[commandName] === 'approve' }),
      taskId: taskIdFor('jira', identity),
      deliveryId,
      messageKey: messageKey('jira', `${policy.site}/${identity}`),
      ...(user === undefined ? { requester: 'Jira' } : requesterOf(user)),
      url: thread.url ?? '',
      ...(summary === '' ? {} : { title: summary }),
      receivedAt: now.toISOString(),
    },
  };
}

function requesterOf(user: JiraUser): Pick<Command, 'requester' | 'requesterId'> {
  return { requester: user.displayName ?? user.accountId, requesterId: user.accountId };
}

function words(value: string | null | undefined): string[] {
  return (value ?? '').split(/\s+/).filter((word) => word !== '');
}

function hasLabel(labels: readonly string[], label: string): boolean {
  return labels.some((candidate) => candidate.toLowerCase() === label.toLowerCase());
}
