import assert from 'node:assert/strict';
import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../../contracts/errors';
import type { TaskView } from '../../contracts/presence';
import { createJiraClient } from '../../integrations/jira/client';
import { createJiraTransport } from '../../integrations/jira/transport';
import { jiraThread } from '../../integrations/jira/thread';
import { createSentryClient } from '../../integrations/sentry/client';
import { renderSentryTaskComment } from '../../integrations/sentry/render';
import { createSentryTransport } from '../../integrations/sentry/transport';
import { sentryThread } from '../../integrations/sentry/thread';
import type { TaskOnThread } from '../../integrations/transport';
import { WriteBudgets } from '../../integrations/write-budget';
import { adfDocument } from '../support/jira-adf';
import { JiraStandIn } from '../support/jira-stand-in';
import { SentryStandIn } from '../support/sentry-stand-in';

const budgets = () => new WriteBudgets({ windows: [{ limit: 100, perMs: 1000 }], urgentReserve: 0.25, maxWaitMs: 1000 });
const FINAL: TaskView = { phase: 'final', outcome: 'succeeded', text: 'The cause is `x`.', durationMs: 1000, usage: {} };

describe('provider transports against their stand-ins', () => {
  describe('Sentry', () => {
    let sentry: SentryStandIn;
    beforeEach(async () => {
      sentry = await new SentryStandIn().start();
      sentry.addIssue({ id: '5012', title: 'TypeError: x is undefined', projectSlug: 'backend', exception: { type: 'TypeError', value: 'x is undefined', frames: [] } });
    });
    afterEach(() => sentry.stop());

    const setup = () => {
      const transport = createSentryTransport({ client: createSentryClient({ apiUrl: `${sentry.url}/api/0/`, token: sentry.token, org: 'acme' }), org: 'acme', budgets: budgets() });
      const thread = sentryThread({ org: 'acme', webUrl: 'https://acme.sentry.io', projectRepos: {} }, { id: '5012' });
      const task: TaskOnThread = { thread, header: { taskId: 'sn-c4242', request: 'explain', requester: 'alice', runUrl: 'http://ui/run', mention: '@agent' }, taskWorkflowId: 'w', startedAt: new Date().toISOString() };
      return { transport, thread, task };
    };

    it("takes Sentry's duplicate-comment 400 on a task's post as the earlier post having landed, and finds that comment", async () => {
      const { transport, task } = setup();
      // An earlier attempt posted the very same text, and its answer was lost.
      const api = createSentryClient({ apiUrl: `${sentry.url}/api/0/`, token: sentry.token, org: 'acme' });
      const earlier = await api.createComment('5012', renderSentryTaskComment(task.header, FINAL));
      const shown = await transport.show(task, {}, FINAL, { priority: 'urgent' });
      assert.deepEqual(shown, { messageId: earlier.id });
      assert.equal(sentry.commentsOn('5012').length, 1);
      assert.deepEqual(sentry.requests.filter((r) => r.path.includes('/comments/')).map((r) => `${r.method} ${r.status}`), ['POST 201', 'POST 400', 'GET 200']);
    });

    it('takes a duplicate reply as delivered, and fails at once on a 401 with a named error', async () => {
      const { transport, thread } = setup();
      await transport.reply(thread, 'nothing to cancel');
      await transport.reply(thread, 'nothing to cancel');
      assert.equal(sentry.commentsOn('5012').length, 1);
      const stranger = createSentryTransport({ client: createSentryClient({ apiUrl: `${sentry.url}/api/0/`, token: 'wrong', org: 'acme' }), org: 'acme', budgets: budgets() });
      await assert.rejects(stranger.reply(thread, 'hello'), (error) => error instanceof ApplicationFailure && error.type === ErrorType.ProviderUnauthorized && error.nonRetryable);
    });

    it('keeps the task going with a note when the latest event is gone, and retries when Sentry is down', async () => {
      const { transport, task } = setup();
      sentry.failNext('GET', /\/events\/latest\/$/, 404, 1);
      const began = await transport.begin(task, { mayExist: false, presence: {} });
      assert.equal(began.context.title, 'TypeError: x is undefined');
      assert.match(began.context.notes.join('\n'), /latest event could not be read: reading the latest event: Sentry answered HTTP 404/);
      sentry.failNext('GET', /\/events\/latest\/$/, 503, 1);
      await assert.rejects(transport.begin(task, { mayExist: false, presence: {} }), (error) => error instanceof ApplicationFailure && error.type === ErrorType.ProviderUnavailable && !error.nonRetryable);
    });
  });

  describe('Jira', () => {
    let jira: JiraStandIn;
    beforeEach(async () => {
      jira = await new JiraStandIn().start();
      jira.addIssue({ key: 'PROJ-1', summary: 'Login fails', description: adfDocument('It fails one run in ten.\nSee CI.') });
    });
    afterEach(() => jira.stop());

    const setup = () => {
      const site = new URL(jira.url).host;
      const transport = createJiraTransport({ client: createJiraClient({ baseUrl: jira.url, email: jira.email, apiToken: jira.apiToken }), site, budgets: budgets(), accountId: jira.accountId, mention: '@agent' });
      const thread = jiraThread({ site, baseUrl: jira.url, projectRepos: {} }, 'PROJ-1');
      const task = (request: string): TaskOnThread => ({ thread, header: { taskId: 'jr-c1', request, requester: 'Alice', runUrl: 'http://ui/run', mention: '@agent' }, taskWorkflowId: 'w', startedAt: new Date().toISOString() });
      return { transport, thread, task };
    };

    it("puts the issue's summary and description in the prompt, unless the request already is them", async () => {
      const { transport, task } = setup();
      const began = await transport.begin(task('explain the failure'), { mayExist: false, presence: {} });
      assert.deepEqual(began.context, { title: 'Login fails', notes: ["The issue's description:\n\nIt fails one run in ten.\n\nSee CI."] });
      const labelled = await transport.begin(task('Login fails\n\nIt fails one run in ten.'), { mayExist: false, presence: {} });
      assert.deepEqual(labelled.context.notes, []);
    });

    it('lets whoever may edit the issue approve, when agent-bot may ask Jira; refuses everyone when it may not', async () => {
      const { transport, thread } = setup();
      jira.grant('alice-account', 'EDIT_ISSUES');
      assert.equal(await transport.mayApprove(thread, { name: 'Alice', id: 'alice-account' }), false, 'Jira answers 403 without Administer Projects');
      jira.grant(jira.accountId, 'ADMINISTER_PROJECTS');
      assert.equal(await transport.mayApprove(thread, { name: 'Alice', id: 'alice-account' }), true);
      assert.equal(await transport.mayApprove(thread, { name: 'Bob', id: 'bob-account' }), false);
      assert.equal(await transport.mayApprove(thread, { name: 'Bob' }), false, 'no account id, no decision');
      assert.equal(jira.requestsTo('GET', /\/user\/permission\/search$/).at(-2)?.query.get('permissions'), 'EDIT_ISSUES');
    });

    it('posts a new comment when the task comment was deleted, and refuses a thread of another site', async () => {
      const { transport, task } = setup();
      const shown = await transport.show(task('x'), { messageId: '999' }, FINAL, { priority: 'urgent' });
      assert.ok(shown?.messageId !== undefined && shown.messageId !== '999');
      assert.equal(jira.commentsOn('PROJ-1').length, 1);
      const elsewhere = jiraThread({ site: 'other.atlassian.net', baseUrl: 'https://other.atlassian.net', projectRepos: {} }, 'PROJ-1');
      await assert.rejects(transport.reply(elsewhere, 'hi'), (error) => error instanceof ApplicationFailure && error.type === ErrorType.ProviderNotFound);
    });
  });
});
