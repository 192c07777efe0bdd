import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import * as Sentry from '@sentry/node';
import ky, { HTTPError, type KyInstance } from 'ky';
import { SentryStandIn } from '../../support/sentry-stand-in';
import { sentryCommentCreated, sentryDelivery, sentryEventAlertTriggered, sentryIssueCreated, signSentryWebhook } from '../../support/sentry-deliveries';
import { waitFor } from '../../support/wait';

async function status(request: Promise<unknown>): Promise<{ status: number; body: unknown }> {
  try {
    await request;
    return { status: 200, body: undefined };
  } catch (error) {
    if (!(error instanceof HTTPError)) throw error;
    return { status: error.response.status, body: await error.response.json() };
  }
}

describe('SentryStandIn', () => {
  let sentry: SentryStandIn;

  beforeEach(async () => {
    sentry = await new SentryStandIn().start();
  });

  afterEach(() => sentry.stop());

  describe('ingest, with @sentry/node', () => {
    afterEach(() => Sentry.close(2000));

    it('receives the envelope captureException + flush sends, and the test reads the exception back', async () => {
      // No default integrations and no load-time module hooks: other tests in this process see plain http.
      Sentry.init({ dsn: sentry.dsn('1'), defaultIntegrations: false, integrations: [Sentry.requestDataIntegration()], enableRuntimeChannelInjection: false, release: 'agent-bot@test' });
      Sentry.withIsolationScope((scope) => {
        scope.setSDKProcessingMetadata({ normalizedRequest: { method: 'POST', url: 'http://gateway.local/webhooks/jira', headers: { 'x-atlassian-webhook-identifier': '42' } } });
        Sentry.captureException(new TypeError('cannot read properties of undefined'), { tags: { provider: 'jira' } });
      });
      assert.equal(await Sentry.flush(5000), true);

      const event = await waitFor('the event at the ingest stand-in', () => sentry.events[0]);
      assert.equal(event.projectId, '1');
      assert.equal(sentry.envelopes[0]!.publicKey, 'publickey');
      const [exception] = event.exception!.values;
      assert.equal(exception!.type, 'TypeError');
      assert.equal(exception!.value, 'cannot read properties of undefined');
      const innermost = exception!.stacktrace!.frames.at(-1)!;
      assert.match(innermost.filename!, /sentry-stand-in\.test\.ts$/, 'the innermost frame is last');
      assert.equal(innermost.in_app, true);
      assert.equal(event.tags?.['provider'], 'jira');
      assert.equal(event.release, 'agent-bot@test');
      assert.equal(event.request?.method, 'POST');
      assert.equal(event.request?.url, 'http://gateway.local/webhooks/jira');

      const sent = sentry.requestsTo('POST', /^\/api\/1\/envelope\/$/)[0]!;
      assert.equal(sent.query.get('sentry_version'), '7');
      assert.equal(sent.headers['content-type'], undefined, '@sentry/node sends envelopes without a content-type');
    });

    it('un-gzips a large envelope the SDK compresses', async () => {
      Sentry.init({ dsn: sentry.dsn('7'), defaultIntegrations: false, enableRuntimeChannelInjection: false });
      Sentry.captureException(new Error('large'), { extra: { log: 'x'.repeat(40_000) } });
      assert.equal(await Sentry.flush(5000), true);
      const event = await waitFor('the large event', () => sentry.events[0]);
      assert.equal(event.exception!.values[0]!.value, 'large');
      assert.equal(sentry.requests[0]!.headers['content-encoding'], 'gzip');
    });
  });

  describe('web API, with ky', () => {
    let api: KyInstance;

    beforeEach(() => {
      sentry.addIssue({
        id: '5012',
        title: 'TypeError: x is undefined',
        exception: {
          type: 'TypeError',
          value: 'x is undefined',
          frames: [
            { filename: 'node:internal/process/task_queues', function: 'processTicksAndRejections', lineNo: 95, inApp: false },
            { filename: 'src/handler.ts', absPath: '/app/src/handler.ts', function: 'handle', lineNo: 42, colNo: 7, contextLine: '  return x.y;', inApp: true },
          ],
        },
      });
      api = ky.create({ prefixUrl: `${sentry.url}/api/0/`, headers: { authorization: `Bearer ${sentry.token}` }, retry: { limit: 2, backoffLimit: 50 } });
    });

    it('returns an issue under the organization and the older route', async () => {
      const issue = await api.get('organizations/acme/issues/5012/').json<{ id: string; title: string; metadata: { filename: string } }>();
      assert.equal(issue.id, '5012');
      assert.equal(issue.title, 'TypeError: x is undefined');
      assert.equal(issue.metadata.filename, 'src/handler.ts');
      assert.equal((await api.get('issues/5012/').json<{ id: string }>()).id, '5012');
      assert.equal((await status(api.get('organizations/other/issues/5012/'))).status, 404);
      assert.equal((await status(api.get('issues/999/'))).status, 404);
      assert.equal((await status(api.get('issues/5012'))).status, 404, 'Sentry routes end in a slash');
    });

    it('returns the latest event with its exception entry, innermost frame last', async () => {
      type Frame = { filename: string; function: string; lineNo: number; colNo: number | null; absPath: string; context: [number, string][]; inApp: boolean };
      const event = await api.get('organizations/acme/issues/5012/events/latest/').json<{ entries: { type: string; data: { values: { type: string; stacktrace: { frames: Frame[] } }[] } }[] }>();
      const exception = event.entries.find((e) => e.type === 'exception')!;
      const frames = exception.data.values[0]!.stacktrace.frames;
      const f = frames.at(-1)!;
      assert.deepEqual(
        { filename: f.filename, function: f.function, lineNo: f.lineNo, colNo: f.colNo, absPath: f.absPath, context: f.context, inApp: f.inApp },
        { filename: 'src/handler.ts', function: 'handle', lineNo: 42, colNo: 7, absPath: '/app/src/handler.ts', context: [[42, '  return x.y;']], inApp: true },
      );
      assert.equal(frames[0]!.inApp, false);
    });

    it('creates a comment (201) and edits it in place; the same text twice within an hour is refused', async () => {
      const created = await api.post('issues/5012/comments/', { json: { text: 'Working on it' } });
      assert.equal(created.status, 201);
      const note = await created.json<{ id: string; type: string; data: { text: string } }>();
      assert.deepEqual([note.type, note.data.text], ['note', 'Working on it']);

      const edited = await api.put(`organizations/acme/issues/5012/comments/${note.id}/`, { json: { text: 'Fixed in #12' } }).json<{ data: { text: string } }>();
      assert.equal(edited.data.text, 'Fixed in #12');
      assert.deepEqual(sentry.commentsOn('5012')[0]!.history, ['Working on it', 'Fixed in #12']);

      await api.post('issues/5012/comments/', { json: { text: 'Again' } });
      assert.deepEqual(await status(api.post('issues/5012/comments/', { json: { text: 'Again' } })), { status: 400, body: { detail: 'You have already posted that comment.' } });
      assert.deepEqual(await status(api.post('issues/5012/comments/', { json: {} })), { status: 400, body: { text: ['This field is required.'] } });
      assert.equal((await status(api.put('issues/5012/comments/1/', { json: { text: 'x' } }))).status, 404);
    });

    it('checks the bearer token', async () => {
      assert.deepEqual(await status(ky.get(`${sentry.url}/api/0/issues/5012/`, { headers: { authorization: 'Bearer wrong' }, retry: 0 })), { status: 401, body: { detail: 'Invalid token' } });
      assert.equal((await status(ky.get(`${sentry.url}/api/0/issues/5012/`, { retry: 0 }))).status, 401);
    });

    it('scripts a 429 with Retry-After: ky waits it out on a GET, and does not retry a POST', async () => {
      sentry.failNext('GET', /\/issues\/5012\/$/, 429, 1, { headers: { 'retry-after': '1' } });
      await api.get('issues/5012/').json();
      const tries = sentry.requestsTo('GET', /\/issues\/5012\/$/);
      assert.deepEqual(tries.map((t) => t.status), [429, 200]);
      assert.ok(tries[1]!.at - tries[0]!.at >= 950, `retried after ${tries[1]!.at - tries[0]!.at} ms`);

      sentry.failNext('POST', /\/comments\/$/, 429, 1, { headers: { 'retry-after': '1' } });
      assert.equal((await status(api.post('issues/5012/comments/', { json: { text: 'x' } }))).status, 429);
      assert.equal(sentry.commentsOn('5012').length, 0);

      sentry.failNext('GET', /\/events\/latest\/$/, 502, 1);
      await api.get('issues/5012/events/latest/').json();
      assert.deepEqual(sentry.requestsTo('GET', /\/events\/latest\/$/).map((t) => t.status), [502, 200]);
    });
  });

  describe('deliveries', () => {
    it('signs with the hex HMAC of the raw body, no prefix, and sends the Sentry-Hook headers', () => {
      const payload = sentryCommentCreated({ issueId: '5012', comment: '@agent please fix' });
      const delivery = sentryDelivery('client-secret', 'comment', payload, { timestamp: 1_700_000_000, requestId: 'req-1' });
      assert.equal(delivery.headers['sentry-hook-signature'], createHmac('sha256', 'client-secret').update(delivery.body).digest('hex'));
      assert.equal(delivery.headers['sentry-hook-signature'], signSentryWebhook('client-secret', Buffer.from(delivery.body)));
      assert.match(delivery.headers['sentry-hook-signature'], /^[0-9a-f]{64}$/);
      assert.deepEqual([delivery.headers['sentry-hook-resource'], delivery.headers['sentry-hook-timestamp'], delivery.headers['request-id']], ['comment', '1700000000', 'req-1']);
    });

    it('builds comment.created, issue.created and event_alert.triggered like the docs', () => {
      const comment = sentryCommentCreated({ issueId: '5012', comment: 'hi' }) as { action: string; data: { issue_id: number; comment: string; project_slug: string }; installation: { uuid: string } };
      assert.deepEqual([comment.action, comment.data.issue_id, comment.data.comment], ['created', 5012, 'hi']);
      assert.equal('organization' in comment.data, false, 'comment webhooks carry no organization slug');

      const issue = sentryIssueCreated({ issueId: '5012', title: 'TypeError: x is undefined' }) as { action: string; data: { issue: { id: string; metadata: { type: string; value: string } } } };
      assert.deepEqual([issue.action, issue.data.issue.id, issue.data.issue.metadata.type, issue.data.issue.metadata.value], ['created', '5012', 'TypeError', 'x is undefined']);

      const alert = sentryEventAlertTriggered({ issueId: '5012', ruleName: 'Send to agent', exception: { type: 'TypeError', value: 'x', frames: [{ filename: 'a.ts', function: 'f', lineno: 1, in_app: true }] } }) as {
        action: string;
        data: { triggered_rule: string; event: { issue_id: string; exception: { values: { stacktrace: { frames: { lineno: number }[] } }[] } } };
      };
      assert.deepEqual([alert.action, alert.data.triggered_rule, alert.data.event.issue_id], ['triggered', 'Send to agent', '5012']);
      assert.equal(alert.data.event.exception.values[0]!.stacktrace.frames[0]!.lineno, 1);
    });
  });
});
