import { createHmac, randomInt } from 'node:crypto';

/**
 * What Jira Cloud POSTs to a webhook, shaped like Atlassian's documented issue-event example
 * (https://developer.atlassian.com/cloud/jira/platform/webhooks/, "Example callback for an issue-related event")
 * and the comment events observed on real deliveries: `timestamp`, `webhookEvent`, `issue`, `user`, `changelog`,
 * `comment` with `author.accountId` and `body`. In webhooks Jira sends the v2 representation: `comment.body` and
 * `issue.fields.description` are wiki-markup strings, and `self` links point at /rest/api/2/.
 * Headers (same page, "Webhook delivery"): `X-Atlassian-Webhook-Identifier` (unchanged across retries),
 * `X-Atlassian-Webhook-Retry` (on retries), `X-Atlassian-Webhook-Flow`, and `X-Hub-Signature: sha256=<hex>` when
 * the webhook was registered with a secret.
 */

export const JIRA_SITE = 'https://acme.atlassian.net';

/** `sha256=` + hex HMAC-SHA256 of the raw body with the webhook's secret. */
export function signJiraWebhook(secret: string, rawBody: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

export interface JiraWebhookIssue {
  key: string;
  id?: string;
  summary?: string;
  description?: string;
  labels?: string[];
}

export function jiraUser(accountId: string, displayName = 'Jira User'): Record<string, unknown> {
  return {
    self: `${JIRA_SITE}/rest/api/2/user?accountId=${accountId}`,
    accountId,
    avatarUrls: { '48x48': `https://avatar-management--avatars.us-west-2.prod.public.atl-paas.net/${accountId}/48` },
    displayName,
    active: true,
    timeZone: 'Etc/UTC',
    accountType: 'atlassian',
  };
}

function issueJson(issue: JiraWebhookIssue): Record<string, unknown> {
  const id = issue.id ?? String(10_000 + randomInt(90_000));
  const projectKey = issue.key.split('-')[0]!;
  return {
    id,
    self: `${JIRA_SITE}/rest/api/2/issue/${id}`,
    key: issue.key,
    fields: {
      summary: issue.summary ?? `Issue ${issue.key}`,
      description: issue.description ?? null,
      labels: issue.labels ?? [],
      issuetype: { self: `${JIRA_SITE}/rest/api/2/issuetype/10001`, id: '10001', name: 'Task', subtask: false },
      project: { self: `${JIRA_SITE}/rest/api/2/project/10000`, id: '10000', key: projectKey, name: `Project ${projectKey}`, projectTypeKey: 'software' },
      status: { self: `${JIRA_SITE}/rest/api/2/status/10000`, name: 'To Do', id: '10000', statusCategory: { id: 2, key: 'new', name: 'To Do' } },
      priority: { self: `${JIRA_SITE}/rest/api/2/priority/3`, name: 'Medium', id: '3' },
      assignee: null,
    },
  };
}

/** `comment_created`: someone commented on an issue. `body` is the comment's wiki markup. */
export function commentCreatedPayload(options: { issue: JiraWebhookIssue; body: string; authorAccountId: string; authorName?: string; commentId?: string; timestamp?: number }): Record<string, unknown> {
  const issue = issueJson(options.issue);
  const id = options.commentId ?? String(10_000 + randomInt(90_000));
  const created = new Date(options.timestamp ?? Date.now()).toISOString().replace('Z', '+0000');
  const author = jiraUser(options.authorAccountId, options.authorName);
  return {
    timestamp: options.timestamp ?? Date.now(),
    webhookEvent: 'comment_created',
    comment: { self: `${JIRA_SITE}/rest/api/2/issue/${String(issue['id'])}/comment/${id}`, id, author, body: options.body, updateAuthor: author, created, updated: created, jsdPublic: true },
    issue,
  };
}

/** `jira:issue_created`. */
export function issueCreatedPayload(options: { issue: JiraWebhookIssue; userAccountId: string; timestamp?: number }): Record<string, unknown> {
  return { timestamp: options.timestamp ?? Date.now(), webhookEvent: 'jira:issue_created', issue_event_type_name: 'issue_created', user: jiraUser(options.userAccountId), issue: issueJson(options.issue) };
}

/**
 * `jira:issue_updated` whose changelog adds a label. Jira writes a labels change as space-separated strings:
 * `fromString: "a b"`, `toString: "a b agent"`.
 */
export function issueLabelAddedPayload(options: { issue: JiraWebhookIssue; label: string; userAccountId: string; timestamp?: number }): Record<string, unknown> {
  const before = options.issue.labels ?? [];
  const after = [...before, options.label];
  return {
    timestamp: options.timestamp ?? Date.now(),
    webhookEvent: 'jira:issue_updated',
    issue_event_type_name: 'issue_updated',
    user: jiraUser(options.userAccountId),
    issue: issueJson({ ...options.issue, labels: after }),
    changelog: { id: String(10_000 + randomInt(90_000)), items: [{ field: 'labels', fieldtype: 'jira', fieldId: 'labels', from: null, fromString: before.join(' '), to: null, toString: after.join(' ') }] },
  };
}

export interface SignedJiraDelivery {
  headers: Record<string, string>;
  body: string;
}

/** Headers and body of one delivery; signed only when `secret` is given, as Jira does. */
export function jiraDelivery(payload: unknown, options: { secret?: string; identifier?: string; retry?: number; flow?: 'Primary' | 'Secondary' } = {}): SignedJiraDelivery {
  const body = JSON.stringify(payload);
  const headers: Record<string, string> = {
    'content-type': 'application/json; charset=UTF-8',
    'user-agent': 'Atlassian Webhook HTTP Client',
    'x-atlassian-webhook-identifier': options.identifier ?? String(randomInt(1_000_000_000)),
    'x-atlassian-webhook-flow': options.flow ?? 'Primary',
  };
  if (options.retry !== undefined && options.retry > 0) headers['x-atlassian-webhook-retry'] = String(options.retry);
  if (options.secret !== undefined) headers['x-hub-signature'] = signJiraWebhook(options.secret, body);
  return { headers, body };
}
