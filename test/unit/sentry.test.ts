import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_COMMANDS } from '../../config/schema';
import { createGatewayApp } from '../../gateway/app';
import type { Dispatcher } from '../../gateway/dispatcher';
import { createSentryWebhookRouter } from '../../gateway/sentry/router';
import { ErrorType } from '../../contracts/errors';
import type { TaskHeader } from '../../contracts/presence';
import type { RoutedEvent } from '../../integrations/routed-event';
import { classifySentryError, DUPLICATE_COMMENT, isDuplicateComment, SentryApiError } from '../../integrations/sentry/errors';
import { renderSentryReply, renderSentryTaskComment, stackTraceNote } from '../../integrations/sentry/render';
import { routeSentryEvent, type SentryRoutingPolicy } from '../../integrations/sentry/route-event';
import { verifySentrySignature } from '../../integrations/sentry/webhook-signature';
import { taskMarkerPattern } from '../../integrations/agent-bot-signature';
import { sentryCommentCreated, sentryDelivery, sentryEventAlertTriggered, sentryIssueCreated, signSentryWebhook } from '../support/sentry-deliveries';

const POLICY: SentryRoutingPolicy = {
  mention: '@agent',
  commands: DEFAULT_COMMANDS,
  defaultCommand: 'ask',
  org: 'acme',
  webUrl: 'https://acme.sentry.io',
  projectRepos: { backend: 'acme/api' },
  triggers: new Set(['comment', 'issue', 'event_alert'] as const),
};
const NOW = new Date('2026-11-21T09:00:05.000Z');

function route(resource: string, payload: unknown, policy: Partial<SentryRoutingPolicy> = {}): RoutedEvent {
  return routeSentryEvent(resource, 'req-1', payload, { ...POLICY, ...policy }, NOW);
}

function expectKind<K extends RoutedEvent['kind']>(event: RoutedEvent, kind: K): Extract<RoutedEvent, { kind: K }> {
  assert.equal(event.kind, kind, `expected ${kind}, got ${JSON.stringify(event)}`);
  return event as Extract<RoutedEvent, { kind: K }>;
}

describe('Sentry', () => {
  describe('verifySentrySignature', () => {
    const delivery = sentryDelivery('client-secret', 'comment', sentryCommentCreated({ issueId: '5012', comment: '@agent hi' }));
    const body = Buffer.from(delivery.body);

    it('accepts the hex HMAC-SHA256 of the raw body (no prefix) under any configured secret', () => {
      assert.equal(verifySentrySignature(['client-secret'], body, delivery.headers['sentry-hook-signature']), true);
      assert.equal(verifySentrySignature(['old', 'client-secret'], body, delivery.headers['sentry-hook-signature']), true);
    });

    it('refuses another secret, another body, a prefixed signature, a missing header, and no secret', () => {
      assert.equal(verifySentrySignature(['client-secret'], body, signSentryWebhook('other', body)), false);
      assert.equal(verifySentrySignature(['client-secret'], Buffer.from(`${delivery.body} `), delivery.headers['sentry-hook-signature']), false);
      assert.equal(verifySentrySignature(['client-secret'], body, `sha256=${delivery.headers['sentry-hook-signature']}`), false);
      assert.equal(verifySentrySignature(['client-secret'], body, undefined), false);
      assert.equal(verifySentrySignature([], body, delivery.headers['sentry-hook-signature']), false);
    });
  });

  describe('routeSentryEvent', () => {
    it('turns a comment mentioning @agent into a command on sentry:<org>/<issue id>', () => {
      const event = expectKind(route('comment', sentryCommentCreated({ issueId: '5012', comment: 'Seen again.\n\n@agent explain this crash', commentId: 4242, userName: 'alice', userId: 7 })), 'command');
      assert.equal(event.thread.key, 'acme/5012');
      assert.equal(event.thread.provider, 'sentry');
      assert.equal(event.thread.repo, 'acme/api');
      assert.equal(event.thread.url, 'https://acme.sentry.io/issues/5012/');
      assert.deepEqual(event.thread.address, { org: 'acme', issueId: '5012' });
      assert.equal(event.command.request, 'explain this crash');
      assert.equal(event.command.taskId, 'sn-c4242');
      assert.equal(event.command.messageKey, 'sentry:acme/comment:4242');
      assert.equal(event.command.deliveryId, 'req-1');
      assert.equal(event.command.requester, 'alice');
      assert.equal(event.command.requesterId, '7');
    });

    it("ignores agent-bot's own comments (signed), comments without the mention, and comments when not enabled", () => {
      assert.deepEqual(route('comment', sentryCommentCreated({ issueId: '5012', comment: 'Reply `@agent approve`\n\n_🤖 agent-bot_' })), { kind: 'ignored', reason: 'comment written by agent-bot' });
      assert.equal(route('comment', sentryCommentCreated({ issueId: '5012', comment: 'no mention here' })).kind, 'ignored');
      assert.equal(route('comment', sentryCommentCreated({ issueId: '5012', comment: '@agent hi' }), { triggers: new Set(['issue'] as const) }).kind, 'ignored');
    });

    it('answers a request naming a repository the mapping does not allow with a reply; an unmapped project still runs', () => {
      const refused = expectKind(route('comment', sentryCommentCreated({ issueId: '5012', comment: '@agent in evil/repo fix it' })), 'command').command;
      assert.equal(refused.action, 'unknown');
      assert.match(refused.helpText ?? '', /`evil\/repo`.*SENTRY_PROJECT_REPOS allows `acme\/api`/);
      const unmapped = expectKind(route('comment', sentryCommentCreated({ issueId: '5013', comment: '@agent explain', projectSlug: 'frontend' })), 'command');
      assert.equal(unmapped.thread.repo, undefined);
      assert.equal(unmapped.command.action, 'run');
    });

    it('starts a task from a new issue, asking for the cause with the title, culprit and link', () => {
      const event = expectKind(route('issue', sentryIssueCreated({ issueId: '5012', title: 'TypeError: x is undefined', culprit: 'handle(src/handler.ts)', shortId: 'BACKEND-7' })), 'command');
      assert.equal(event.thread.key, 'acme/5012');
      assert.equal(event.thread.label, 'BACKEND-7');
      assert.equal(event.thread.repo, 'acme/api');
      assert.equal(event.command.taskId, 'sn-i5012');
      assert.equal(event.command.messageKey, 'sentry:acme/issue:5012');
      assert.match(event.command.request, /^Find the cause of this Sentry error/);
      assert.match(event.command.request, /Error: TypeError: x is undefined\nCulprit: handle\(src\/handler\.ts\)\nIssue: BACKEND-7 https:\/\/acme\.sentry\.io\/issues\/5012\//);
      assert.equal(event.command.needsApproval, undefined, 'an investigation runs at once');
      assert.equal(route('issue', sentryIssueCreated({ issueId: '5012', title: 'x' }), { triggers: new Set(['comment'] as const) }).kind, 'ignored');
    });

    it('starts a task from an alert, once per alerted event, with the project read from the event URL', () => {
      const payload = sentryEventAlertTriggered({ issueId: '5012', ruleName: 'Ask the agent', eventId: 'abcdef0123456789abcdef0123456789', exception: { type: 'TypeError', value: 'x', frames: [{ filename: 'a.ts', function: 'f', lineno: 1 }] } });
      const event = expectKind(route('event_alert', payload), 'command');
      assert.equal(event.thread.repo, 'acme/api');
      assert.equal(event.command.taskId, 'sn-a5012-abcdef0123456789abcdef0123456789');
      assert.equal(event.command.messageKey, 'sentry:acme/alert:abcdef0123456789abcdef0123456789');
      assert.match(event.command.request, /Alert rule: Ask the agent/);
    });

    it('answers installation events like a ping, ignores others, and refuses payloads without what it reads', () => {
      assert.equal(route('installation', { action: 'created', installation: { uuid: 'x' } }).kind, 'ping');
      assert.equal(route('issue', { action: 'resolved', data: {} }).kind, 'ignored');
      assert.match(expectKind(route('comment', { action: 'created', data: { comment: 'x' } }), 'invalid').message, /comment_id/);
      assert.equal(route('comment', { data: {} }).kind, 'invalid');
    });
  });

  describe('POST /webhooks/sentry when Temporal is slow', () => {
    it('answers by its deadline while the command is still being recorded, then records it', async () => {
      let recorded: (() => void) | undefined;
      const calls: string[] = [];
      const dispatcher: Dispatcher = {
        dispatchCommand: (thread, command) => {
          calls.push(command.taskId);
          return new Promise((resolve) => {
            recorded = () => resolve({ workflowId: `sentry:${thread.key}` });
          });
        },
        closeThread: () => Promise.resolve(false),
        signalCommand: () => Promise.resolve(false),
        decideTask: () => Promise.resolve(false),
        cancelTask: () => Promise.resolve(false),
      };
      const logged: string[] = [];
      const router = createSentryWebhookRouter({ secrets: ['client-secret'], policy: POLICY, dispatcher, ackWithinMs: 50, log: (message) => logged.push(message) });
      const app = createGatewayApp({ isTemporalReachable: () => Promise.resolve(true), routers: [router] });
      const handle = app.callback();
      const server = http.createServer((req, res) => void handle(req, res));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const delivery = sentryDelivery('client-secret', 'comment', sentryCommentCreated({ issueId: '5012', comment: '@agent explain', commentId: 77 }));
        const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/sentry`, { method: 'POST', headers: delivery.headers, body: delivery.body });
        assert.equal(response.status, 202);
        assert.deepEqual(await response.json(), { recording: true });
        assert.deepEqual(calls, ['sn-c77'], 'the command was handed to Temporal before the answer');
        assert.ok(logged.includes('sentry: Temporal is slow; answered Sentry and still recording'));
        recorded?.();
      } finally {
        server.close();
      }
    });
  });

  describe('rendering', () => {
    const header: TaskHeader = { taskId: 'sn-c4242', request: 'explain this crash', requester: 'alice', runUrl: 'http://ui/run', mention: '@agent' };

    it('signs the task comment and marks it with its task id, so a retried post finds it', () => {
      const text = renderSentryTaskComment(header, { phase: 'final', outcome: 'succeeded', text: 'The cause is `x`.', durationMs: 2000, usage: {} });
      assert.match(text, /^\*\*✅ Done\*\* · alice asked: _explain this crash_\n\nThe cause is `x`\./);
      assert.match(text, /_🤖 agent-bot · took 2s · \[run in Temporal UI\]\(http:\/\/ui\/run\) · task `sn-c4242`_$/);
      assert.ok(taskMarkerPattern('sn-c4242').test(text));
      assert.ok(!taskMarkerPattern('sn-c424').test(text), 'a shorter task id does not match');
      assert.match(renderSentryReply('nothing to cancel'), /nothing to cancel\n\n_🤖 agent-bot_$/);
    });

    it('cuts a long answer with a note naming the full answer', () => {
      const text = renderSentryTaskComment(header, { phase: 'final', outcome: 'succeeded', text: 'x'.repeat(50_000), durationMs: 2000, usage: {}, answerPath: 'logs/tasks/sn-c4242/answer.md' }, 10_000);
      assert.ok(text.length <= 10_000);
      assert.match(text, /answer cut to fit a Sentry comment \([\d,]+ of 50,000 characters shown\)\. The full answer is `logs\/tasks\/sn-c4242\/answer\.md`/);
    });

    it("writes the latest event's stack trace most recent call last, with source lines", () => {
      const note = stackTraceNote(
        { id: '5012', shortId: 'BACKEND-7', title: 'TypeError: x is undefined', culprit: 'handle(src/handler.ts)' },
        {
          eventId: 'e1',
          exceptions: [
            {
              type: 'TypeError',
              value: 'x is undefined',
              stacktrace: {
                frames: [
                  { filename: 'node:internal/process/task_queues', function: 'processTicksAndRejections', lineNo: 95, inApp: false },
                  { filename: 'src/handler.ts', function: 'handle', lineNo: 42, colNo: 7, inApp: true, context: [[41, '  const y = 1;'], [42, '  return x.y;']] },
                ],
              },
            },
          ],
        },
        'https://acme.sentry.io/issues/5012/',
      );
      assert.match(note, /^Sentry issue BACKEND-7: TypeError: x is undefined \(culprit: handle\(src\/handler\.ts\)\), https:\/\/acme\.sentry\.io\/issues\/5012\/\./);
      assert.match(note, /most recent call last:\n```\nTypeError: x is undefined\n {2}at processTicksAndRejections \(node:internal\/process\/task_queues:95\)\n {2}at handle \(src\/handler\.ts:42:7\) \[in app\]\n {6}42 \| {3}return x\.y;\n```$/);
    });
  });

  describe('classifySentryError', () => {
    const apiError = (status: number, detail = 'nope', headers: Record<string, string> = {}) => new SentryApiError(status, detail, new Headers(headers), 'posting');

    it('names 401, 403 and 404 and fails them at once; other 4xx are refusals', () => {
      for (const [status, type] of [[401, ErrorType.ProviderUnauthorized], [403, ErrorType.ProviderForbidden], [404, ErrorType.ProviderNotFound], [400, ErrorType.ProviderRejected]] as const) {
        const failure = classifySentryError(apiError(status), 'posting');
        assert.equal(failure.type, type);
        assert.equal(failure.nonRetryable, true);
        assert.equal(failure.message, `posting: Sentry answered HTTP ${status}: nope`);
      }
      assert.equal(isDuplicateComment(apiError(400, DUPLICATE_COMMENT)), true);
      assert.equal(isDuplicateComment(apiError(400, 'text: This field is required.')), false);
    });

    it('retries 429 after Retry-After or X-Sentry-Rate-Limit-Reset, and 5xx and network errors with backoff', () => {
      assert.equal(classifySentryError(apiError(429, 'slow down', { 'retry-after': '3' }), 'x').nextRetryDelay, 3000);
      const reset = classifySentryError(apiError(429, 'slow down', { 'x-sentry-rate-limit-reset': '1700000010' }), 'x', 1_700_000_000_000);
      assert.equal(reset.type, ErrorType.ProviderRateLimited);
      assert.equal(reset.nextRetryDelay, 10_000);
      assert.equal(classifySentryError(apiError(502), 'x').type, ErrorType.ProviderUnavailable);
      assert.equal(classifySentryError(apiError(502), 'x').nonRetryable, false);
      assert.equal(classifySentryError(new TypeError('fetch failed'), 'x').type, ErrorType.ProviderUnavailable);
    });
  });
});
