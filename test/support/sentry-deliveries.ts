import { createHmac, randomUUID } from 'node:crypto';
import type { IngestedFrame } from './sentry-envelopes';

/**
 * What Sentry's integration platform POSTs to an integration's webhook URL
 * (https://docs.sentry.io/organization/integrations/integration-platform/webhooks/): a JSON body
 * `{action, installation: {uuid}, data, actor}` with the headers `Content-Type`, `Request-ID`,
 * `Sentry-Hook-Resource`, `Sentry-Hook-Timestamp` (Unix seconds) and `Sentry-Hook-Signature` (hex HMAC-SHA256 of
 * the raw body with the integration's client secret, no prefix).
 * Payloads: .../webhooks/comments/ (resource `comment`), .../webhooks/issues/ (resource `issue`),
 * .../webhooks/issue-alerts/ (resource `event_alert`, action `triggered`). Comment webhooks carry no organization
 * slug; an alert's `data.event` is the event in the store format (`lineno`, `context_line`, `in_app`), unlike the
 * web API's camel-cased frames.
 */

export const SENTRY_INSTALLATION_UUID = '7a485448-a9e2-4c85-8a3c-4f44175783c9';
const SENTRY_WEB = 'https://acme.sentry.io';
const SENTRY_API = 'https://sentry.io/api/0';

export function signSentryWebhook(clientSecret: string, rawBody: string | Buffer): string {
  return createHmac('sha256', clientSecret).update(rawBody).digest('hex');
}

export interface SignedSentryDelivery {
  headers: Record<string, string>;
  body: string;
}

export function sentryDelivery(clientSecret: string, resource: string, payload: unknown, options: { timestamp?: number; requestId?: string } = {}): SignedSentryDelivery {
  const body = JSON.stringify(payload);
  return {
    headers: {
      'content-type': 'application/json',
      'request-id': options.requestId ?? randomUUID(),
      'sentry-hook-resource': resource,
      'sentry-hook-timestamp': String(options.timestamp ?? Math.floor(Date.now() / 1000)),
      'sentry-hook-signature': signSentryWebhook(clientSecret, body),
    },
    body,
  };
}

/** `comment.created`: a person commented on an issue. */
export function sentryCommentCreated(options: { issueId: string; comment: string; projectSlug?: string; commentId?: number; userId?: number; userName?: string }): Record<string, unknown> {
  return {
    action: 'created',
    data: {
      comment: options.comment,
      project_slug: options.projectSlug ?? 'backend',
      comment_id: options.commentId ?? 4242,
      issue_id: Number(options.issueId),
      timestamp: new Date().toISOString().replace('Z', '000Z'),
    },
    installation: { uuid: SENTRY_INSTALLATION_UUID },
    actor: { type: 'user', id: options.userId ?? 1, name: options.userName ?? 'alice' },
  };
}

/** `issue.created`: Sentry grouped a new issue. */
export function sentryIssueCreated(options: { issueId: string; title: string; culprit?: string; projectSlug?: string; shortId?: string; type?: string; value?: string }): Record<string, unknown> {
  const projectSlug = options.projectSlug ?? 'backend';
  return {
    action: 'created',
    installation: { uuid: SENTRY_INSTALLATION_UUID },
    data: {
      issue: {
        url: `${SENTRY_API}/organizations/acme/issues/${options.issueId}/`,
        web_url: `${SENTRY_WEB}/issues/${options.issueId}/`,
        project_url: `${SENTRY_WEB}/issues/?project=2`,
        id: options.issueId,
        shortId: options.shortId ?? `${projectSlug.toUpperCase()}-1`,
        title: options.title,
        culprit: options.culprit ?? '',
        level: 'error',
        status: 'unresolved',
        substatus: 'new',
        statusDetails: {},
        platform: 'node',
        project: { id: '2', name: projectSlug, slug: projectSlug, platform: 'node' },
        type: 'error',
        metadata: { type: options.type ?? options.title.split(':')[0], value: options.value ?? options.title.split(': ').slice(1).join(': ') },
        numComments: 0,
        assignedTo: null,
        count: '1',
        userCount: 0,
        firstSeen: new Date().toISOString(),
        lastSeen: new Date().toISOString(),
      },
    },
    actor: { type: 'application', id: 'sentry', name: 'Sentry' },
  };
}

/** `event_alert.triggered`: an issue alert rule with this integration as its action fired on an event. */
export function sentryEventAlertTriggered(options: { issueId: string; ruleName: string; exception: { type: string; value: string; frames: IngestedFrame[] }; eventId?: string; projectSlug?: string; settings?: { name: string; value: unknown }[] }): Record<string, unknown> {
  const eventId = options.eventId ?? randomUUID().replace(/-/g, '');
  const title = `${options.exception.type}: ${options.exception.value}`;
  const innermost = options.exception.frames.at(-1);
  return {
    action: 'triggered',
    installation: { uuid: SENTRY_INSTALLATION_UUID },
    actor: { id: 'sentry', name: 'Sentry', type: 'application' },
    data: {
      event: {
        event_id: eventId,
        issue_id: options.issueId,
        issue_url: `${SENTRY_API}/issues/${options.issueId}/`,
        url: `${SENTRY_API}/projects/acme/${options.projectSlug ?? 'backend'}/events/${eventId}/`,
        web_url: `${SENTRY_WEB}/issues/${options.issueId}/events/${eventId}/`,
        title,
        culprit: innermost ? `${innermost.function}(${innermost.filename})` : '',
        level: 'error',
        platform: 'node',
        project: 2,
        datetime: new Date().toISOString(),
        timestamp: Date.now() / 1000,
        exception: { values: [{ type: options.exception.type, value: options.exception.value, mechanism: { type: 'generic', handled: false }, stacktrace: { frames: options.exception.frames } }] },
        metadata: { type: options.exception.type, value: options.exception.value, filename: innermost?.filename, function: innermost?.function },
        tags: [
          ['environment', 'production'],
          ['level', 'error'],
        ],
        type: 'error',
        version: '7',
      },
      triggered_rule: options.ruleName,
      issue_alert: { title: options.ruleName, sentry_app_id: 'b4c1d5a4-1f7e-4a2b-9cf0-3c0fe2d2a5e1', settings: options.settings ?? [] },
    },
  };
}
