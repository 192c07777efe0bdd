import type { SentryTriggerResource } from '../../config/sentry';
import type { Command } from '../../contracts/task';
import { messageKey, taskIdFor } from '../../contracts/thread';
import { signedByAgentBot } from '../agent-bot-signature';
import { extractMentionRequest } from '../mention';
import { refuseUnlistedRepo } from '../repo-refusal';
import type { RoutedEvent } from '../routed-event';
import { parseThreadCommand, type CommandPolicy } from '../thread-command';
import { sentryThread, type SentryOrg } from './thread';
import {
  anySentryEventSchema,
  commentCreatedSchema,
  describeIssues,
  eventAlertTriggeredSchema,
  issueCreatedSchema,
  type SentryCommentCreated,
} from './webhook-schemas';

/** How Sentry deliveries become commands: the command language, the organization, and what may start work. */
export interface SentryRoutingPolicy extends CommandPolicy, SentryOrg {
  /** `SENTRY_TRIGGER_RESOURCES`: `comment` (a mention), `issue` (a new issue), `event_alert` (an alert rule firing). */
  triggers: ReadonlySet<SentryTriggerResource>;
}

/**
 * Maps a verified Sentry delivery to what the gateway does: pure, so every rule is tested without a server.
 * `resource` is the `Sentry-Hook-Resource` header and `deliveryId` the `Request-ID`; task ids and message keys
 * come from the resource itself (the comment, the issue, the alert's event), so every delivery of one runs once.
 */
export function routeSentryEvent(resource: string, deliveryId: string, payload: unknown, policy: SentryRoutingPolicy, now: Date = new Date()): RoutedEvent {
  const any = anySentryEventSchema.safeParse(payload);
  if (!any.success) return { kind: 'invalid', message: `Sentry payload: ${describeIssues(any.error)}` };
  const event = `${resource}.${any.data.action}`;
  if (resource === 'installation') return { kind: 'ping' };
  const enabled = (name: SentryTriggerResource): boolean => policy.triggers.has(name);
  switch (event) {
    case 'comment.created': {
      if (!enabled('comment')) return { kind: 'ignored', reason: 'SENTRY_TRIGGER_RESOURCES does not list comment' };
      const parsed = commentCreatedSchema.safeParse(payload);
      if (!parsed.success) return { kind: 'invalid', message: `comment.created payload: ${describeIssues(parsed.error)}` };
      return routeComment(parsed.data, deliveryId, policy, now);
    }
    case 'issue.created': {
      if (!enabled('issue')) return { kind: 'ignored', reason: 'SENTRY_TRIGGER_RESOURCES does not list issue' };
      const parsed = issueCreatedSchema.safeParse(payload);
      if (!parsed.success) return { kind: 'invalid', message: `issue.created payload: ${describeIssues(parsed.error)}` };
      const { issue } = parsed.data.data;
      return investigate(
        { id: issue.id, shortId: issue.shortId, projectSlug: issue.project?.slug, title: issue.title, culprit: issue.culprit ?? undefined, link: issue.web_url },
        `issue:${issue.id}`,
        `i${issue.id}`,
        deliveryId,
        policy,
        now,
      );
    }
    case 'event_alert.triggered': {
      if (!enabled('event_alert')) return { kind: 'ignored', reason: 'SENTRY_TRIGGER_RESOURCES does not list event_alert' };
      const parsed = eventAlertTriggeredSchema.safeParse(payload);
      if (!parsed.success) return { kind: 'invalid', message: `event_alert.triggered payload: ${describeIssues(parsed.error)}` };
      const { event: alerted, triggered_rule: rule } = parsed.data.data;
      const projectSlug = /\/projects\/[^/]+\/([^/]+)\/events\//.exec(alerted.url ?? '')?.[1];
      return investigate(
        { id: alerted.issue_id, projectSlug, title: alerted.title ?? `issue ${alerted.issue_id}`, culprit: alerted.culprit ?? undefined, link: alerted.web_url, rule },
        // Each firing is on another event: an alert that fires again (a regression) asks again.
        `alert:${alerted.event_id}`,
        `a${alerted.issue_id}-${alerted.event_id.slice(0, 32)}`,
        deliveryId,
        policy,
        now,
      );
    }
    default:
      return { kind: 'ignored', reason: `${event} is not handled` };
  }
}

/** A comment that mentions the bot is a command on its issue. */
function routeComment(payload: SentryCommentCreated, deliveryId: string, policy: SentryRoutingPolicy, now: Date): RoutedEvent {
  const { data, actor } = payload;
  // agent-bot's comments come from its integration's proxy user: its signature tells them apart.
  if (signedByAgentBot(data.comment)) return { kind: 'ignored', reason: 'comment written by agent-bot' };
  const request = extractMentionRequest(data.comment, policy.mention);
  if (request === undefined) return { kind: 'ignored', reason: `no ${policy.mention} command in the comment` };
  const thread = sentryThread(policy, { id: data.issue_id, projectSlug: data.project_slug });
  const parsed = parseThreadCommand(request, policy, now);
  const isDecision = parsed.action === 'approve' || parsed.action === 'reject';
  const command = refuseUnlistedRepo(parsed, { settingName: 'SENTRY_PROJECT_REPOS', place: `project ${data.project_slug ?? '(unknown)'}`, mapping: policy.projectRepos, mapped: thread.repo });
  return {
    kind: 'command',
    thread,
    ...(isDecision ? { signalOnly: true } : {}),
    command: {
      ...command,
      taskId: taskIdFor('sentry', `c${data.comment_id}`),
      deliveryId,
      messageKey: messageKey('sentry', `${policy.org}/comment:${data.comment_id}`),
      requester: actor?.name ?? 'Sentry user',
      ...(actor?.id === undefined ? {} : { requesterId: String(actor.id) }),
      url: thread.url ?? '',
      // Only members of the organization can comment on its issues: that is who may decide here.
      ...(isDecision ? { trusted: actor?.type === 'user' } : {}),
      receivedAt: now.toISOString(),
    },
  };
}

interface Investigated {
  id: string;
  shortId?: string | undefined;
  projectSlug: string | undefined;
  title: string;
  culprit: string | undefined;
  link: string | undefined;
  rule?: string | undefined;
}

/**
 * A new issue, or an alert on one: a task that asks the agent to find the error's cause. The request names the
 * issue's title, culprit and link; the worker adds the latest event's stack trace, read through the API, to the
 * prompt (see the transport's `begin`). It runs at once, whatever the default command: it only reads and explains.
 */
function investigate(issue: Investigated, identity: string, taskKey: string, deliveryId: string, policy: SentryRoutingPolicy, now: Date): RoutedEvent {
  const thread = sentryThread(policy, issue);
  const link = issue.link ?? thread.url ?? '';
  const lines = [
    `Find the cause of this Sentry error, point at the code responsible, and propose a fix.`,
    '',
    `Error: ${issue.title}`,
    ...(issue.culprit === undefined || issue.culprit === '' ? [] : [`Culprit: ${issue.culprit}`]),
    `Issue: ${issue.shortId === undefined ? '' : `${issue.shortId} `}${link}`,
    ...(issue.rule === undefined ? [] : [`Alert rule: ${issue.rule}`]),
  ];
  const command: Command = {
    action: 'run',
    request: lines.join('\n'),
    taskId: taskIdFor('sentry', taskKey),
    deliveryId,
    messageKey: messageKey('sentry', `${policy.org}/${identity}`),
    requester: 'Sentry',
    url: link,
    title: issue.title,
    receivedAt: now.toISOString(),
  };
  return { kind: 'command', thread, command };
}
