import assert from 'node:assert/strict';
import { ApplicationFailure } from '@temporalio/common';
import { DEFAULT_COMMANDS } from '../../config/schema';
import { ErrorType } from '../../contracts/errors';
import type { TaskHeader } from '../../contracts/presence';
import { classifyJiraError } from '../../integrations/jira/errors';
import { adfPlainText, JIRA_COMMENT_LIMIT, renderJiraReply, renderJiraTaskComment } from '../../integrations/jira/render';
import { routeJiraEvent, type JiraRoutingPolicy } from '../../integrations/jira/route-event';
import { verifyJiraSignature } from '../../integrations/jira/webhook-signature';
import type { AdfNode } from '../../integrations/jira/webhook-schemas';
import type { RoutedEvent } from '../../integrations/routed-event';
import { commentCreatedPayload, issueCreatedPayload, issueLabelAddedPayload, jiraDelivery, signJiraWebhook } from '../support/jira-deliveries';

const BOT = '5b10ac8d82e05b22cc7d4ef5';
const ALICE = '557058:f58131cb-b67d-43c7-b30d-6b58d40bd077';
const POLICY: JiraRoutingPolicy = {
  mention: '@agent',
  commands: DEFAULT_COMMANDS,
  defaultCommand: 'ask',
  site: 'acme.atlassian.net',
  baseUrl: 'https://acme.atlassian.net',
  projectRepos: { PROJ: 'acme/widgets', OPS: 'acme/infra' },
  accountId: BOT,
  triggerLabel: 'agent',
};
const NOW = new Date('2026-11-21T09:00:05.000Z');

function route(payload: unknown, policy: Partial<JiraRoutingPolicy> = {}): RoutedEvent {
  return routeJiraEvent('delivery-1', payload, { ...POLICY, ...policy }, NOW);
}

function expectKind<K extends RoutedEvent['kind']>(event: RoutedEvent, kind: K): Extract<RoutedEvent, { kind: K }> {
  assert.equal(event.kind, kind, `expected ${kind}, got ${JSON.stringify(event)}`);
  return event as Extract<RoutedEvent, { kind: K }>;
}

function comment(body: string, options: { author?: string; key?: string; accountType?: string } = {}) {
  const payload = commentCreatedPayload({ issue: { key: options.key ?? 'PROJ-12', id: '10012', summary: 'Login fails' }, body, authorAccountId: options.author ?? ALICE, authorName: 'Alice', commentId: '10100' }) as {
    comment: { author: Record<string, unknown>; body: unknown };
  };
  if (options.accountType !== undefined) payload.comment.author['accountType'] = options.accountType;
  return payload;
}

describe('Jira', () => {
  describe('verifyJiraSignature', () => {
    const body = Buffer.from(jiraDelivery(comment('@agent hi')).body);

    it('accepts sha256=<hex HMAC> of the raw body under any configured secret', () => {
      assert.equal(verifyJiraSignature(['s1'], body, signJiraWebhook('s1', body)), true);
      assert.equal(verifyJiraSignature(['old', 's1'], body, signJiraWebhook('s1', body)), true);
    });

    it('refuses another secret, another body, a bare hex, a missing header, and no secret at all', () => {
      assert.equal(verifyJiraSignature(['s1'], body, signJiraWebhook('s2', body)), false);
      assert.equal(verifyJiraSignature(['s1'], Buffer.concat([body, Buffer.from(' ')]), signJiraWebhook('s1', body)), false);
      assert.equal(verifyJiraSignature(['s1'], body, signJiraWebhook('s1', body).slice('sha256='.length)), false);
      assert.equal(verifyJiraSignature(['s1'], body, undefined), false);
      assert.equal(verifyJiraSignature([], body, signJiraWebhook('s1', body)), false);
    });
  });

  describe('routeJiraEvent', () => {
    it('turns a comment mentioning @agent into a command on jira:<site>/<ISSUE-KEY>', () => {
      const event = expectKind(route(comment('Hi team.\n\n@agent explain the failure')), 'command');
      assert.equal(event.thread.provider, 'jira');
      assert.equal(event.thread.key, 'acme.atlassian.net/PROJ-12');
      assert.equal(event.thread.label, 'PROJ-12');
      assert.equal(event.thread.repo, 'acme/widgets');
      assert.equal(event.thread.url, 'https://acme.atlassian.net/browse/PROJ-12');
      assert.deepEqual(event.thread.address, { site: 'acme.atlassian.net', issueKey: 'PROJ-12', projectKey: 'PROJ' });
      assert.equal(event.command.request, 'explain the failure');
      assert.equal(event.command.taskId, 'jr-c10100');
      assert.equal(event.command.messageKey, 'jira:acme.atlassian.net/comment:10100');
      assert.equal(event.command.deliveryId, 'delivery-1');
      assert.equal(event.command.requester, 'Alice');
      assert.equal(event.command.requesterId, ALICE);
      assert.equal(event.command.title, 'Login fails');
      assert.equal(event.command.commandName, 'explain');
      assert.equal(event.command.url, 'https://acme.atlassian.net/browse/PROJ-12?focusedCommentId=10100');
    });

    it("recognises a mention of the bot's account id, in wiki markup and in ADF", () => {
      const wiki = expectKind(route(comment(`[~accountid:${BOT}] review the retry logic`)), 'command');
      assert.equal(wiki.command.request, 'review the retry logic');
      const adf = comment('');
      (adf as { comment: { body: unknown } }).comment.body = {
        type: 'doc',
        version: 1,
        content: [{ type: 'paragraph', content: [{ type: 'mention', attrs: { id: BOT, text: '@Agent Bot' } }, { type: 'text', text: ' fix ' }, { type: 'text', text: 'login()', marks: [{ type: 'code' }] }] }],
      };
      assert.equal(expectKind(route(adf), 'command').command.request, 'fix `login()`');
      assert.equal(route(comment(`[~accountid:${ALICE}] review this`)).kind, 'ignored', 'a mention of someone else is no command');
      assert.equal(route(comment(`[~accountid:${BOT}] review this`), { accountId: undefined }).kind, 'ignored', 'without JIRA_ACCOUNT_ID only the text mention counts');
    });

    it('never reads code, quotes or inline code as a command', () => {
      assert.equal(route(comment('{code}\n@agent review\n{code}')).kind, 'ignored');
      assert.equal(route(comment('{quote}@agent review{quote}\nnice')).kind, 'ignored');
      assert.equal(route(comment('Reply {{@agent approve}} to approve')).kind, 'ignored');
    });

    it("ignores agent-bot's own comments, by account id and by the signature, and service desk customers", () => {
      assert.deepEqual(route(comment('@agent review', { author: BOT })), { kind: 'ignored', reason: 'comment written by agent-bot' });
      assert.deepEqual(route(comment('@agent approve\n\n🤖 agent-bot'), { accountId: undefined }), { kind: 'ignored', reason: 'comment written by agent-bot' });
      assert.equal(route(comment('{quote}🤖 agent-bot{quote}\n@agent review')).kind, 'command', 'quoting the bot is not being the bot');
      assert.equal(route(comment('@agent review', { accountType: 'customer' })).kind, 'ignored');
    });

    it('routes approvals as signal-only and untrusted: the task checks who may decide', () => {
      const event = expectKind(route(comment('@agent approve')), 'command');
      assert.equal(event.signalOnly, true);
      assert.equal(event.command.trusted, false);
      assert.equal(event.command.action, 'approve');
    });

    it('lets a request name a mapped repository, and answers one it may not use with a reply', () => {
      assert.equal(expectKind(route(comment('@agent in acme/infra review')), 'command').command.repo, 'acme/infra');
      const refused = expectKind(route(comment('@agent in evil/repo review')), 'command').command;
      assert.equal(refused.action, 'unknown');
      assert.equal(refused.repo, undefined);
      assert.match(refused.helpText ?? '', /can't work on `evil\/repo`.*JIRA_PROJECT_REPOS allows `acme\/widgets`, `acme\/infra`.*Project PROJ works on `acme\/widgets`/);
      const unmapped = expectKind(route(comment('@agent review', { key: 'MISC-3' })), 'command');
      assert.equal(unmapped.thread.repo, undefined, 'an unmapped project has no repository');
      assert.equal(unmapped.command.action, 'run', 'and still runs, in an empty folder');
    });

    it('starts a task from an issue created with the trigger label: summary and description are the request', () => {
      const payload = issueCreatedPayload({ issue: { key: 'PROJ-20', id: '10020', summary: 'Add a retry', description: 'The {{fetch}} call fails *sometimes*.', labels: ['backend', 'Agent'] }, userAccountId: ALICE });
      const event = expectKind(route(payload), 'command');
      assert.equal(event.thread.key, 'acme.atlassian.net/PROJ-20');
      assert.equal(event.command.request, 'Add a retry\n\nThe `fetch` call fails *sometimes*.');
      assert.equal(event.command.taskId, 'jr-i10020');
      assert.equal(event.command.messageKey, 'jira:acme.atlassian.net/i10020');
      assert.equal(event.command.commandName, 'ask');
      assert.equal(event.command.needsApproval, false);
      assert.equal(route(issueCreatedPayload({ issue: { key: 'PROJ-21', labels: ['backend'] }, userAccountId: ALICE })).kind, 'ignored');
      assert.equal(route(payload, { triggerLabel: undefined }).kind, 'ignored');
    });

    it('starts a task when an update newly adds the label, and not when the label was already there', () => {
      const added = issueLabelAddedPayload({ issue: { key: 'PROJ-22', id: '10022', summary: 'Flaky test', labels: ['backend'] }, label: 'agent', userAccountId: ALICE }) as { changelog: { id: string; items: { fromString: string; toString: string }[] } };
      const event = expectKind(route(added), 'command');
      assert.equal(event.command.taskId, `jr-i10022-l${added.changelog.id}`);
      assert.equal(event.command.request, 'Flaky test');
      added.changelog.items[0]!.fromString = 'agent';
      added.changelog.items[0]!.toString = 'agent backend';
      assert.equal(route(added).kind, 'ignored');
    });

    it('closes the conversation of a deleted issue, ignores other events, and refuses payloads without what it reads', () => {
      assert.equal(expectKind(route({ webhookEvent: 'jira:issue_deleted', issue: { key: 'PROJ-12' } }), 'close').thread.key, 'acme.atlassian.net/PROJ-12');
      assert.equal(route({ webhookEvent: 'worklog_created' }).kind, 'ignored');
      assert.match(expectKind(route({ hello: 1 }), 'invalid').message, /webhookEvent/);
      assert.match(expectKind(route({ webhookEvent: 'comment_created', issue: { key: 'PROJ-1', id: '1' } }), 'invalid').message, /comment/);
    });
  });

  describe('renderJiraTaskComment', () => {
    const header: TaskHeader = { taskId: 'jr-c10100', request: 'explain the failure', requester: 'Alice', runUrl: 'http://ui/run', mention: '@agent' };
    const types = (node: AdfNode): string[] => [node.type, ...(node.content ?? []).flatMap(types)];

    it('renders the Markdown answer as ADF: code blocks, lists and links survive, with the signature and the task marker', () => {
      const answer = 'The cause:\n\n```ts\nconst x = await fetch(url);\n```\n\n- first\n- second\n\nSee [the docs](https://example.com/docs).';
      const doc = renderJiraTaskComment(header, { phase: 'final', outcome: 'succeeded', text: answer, durationMs: 3000, usage: { costUsd: 0.0123 } });
      assert.equal(doc.type, 'doc');
      assert.equal(doc.version, 1);
      const all = types(doc);
      assert.ok(all.includes('codeBlock') && all.includes('bulletList') && all.includes('listItem'));
      assert.ok(JSON.stringify(doc).includes('"href":"https://example.com/docs"'));
      const code = doc.content.find((node) => node.type === 'codeBlock');
      assert.deepEqual(code?.attrs, { language: 'ts' });
      const text = adfPlainText(doc);
      assert.match(text, /✅ Done · Alice asked: explain the failure/);
      assert.match(text, /🤖 agent-bot · took 3s · cost \$0\.0123 · run in Temporal UI · task jr-c10100$/);
      assert.ok(!JSON.stringify(doc).includes('"text":""'), 'ADF refuses empty text nodes');
    });

    it("cuts an answer over Jira's 32,767 characters, with a note naming the full answer's path", () => {
      const answer = `${'word '.repeat(20_000)}\n\n\`\`\`\n${'code\n'.repeat(5_000)}\`\`\``;
      const doc = renderJiraTaskComment(header, { phase: 'final', outcome: 'succeeded', text: answer, durationMs: 1000, usage: {}, answerPath: 'logs/tasks/jr-c10100/answer.md' });
      const size = JSON.stringify(doc).length;
      assert.ok(size <= JIRA_COMMENT_LIMIT && size > JIRA_COMMENT_LIMIT - 500, `size ${size}`);
      const text = adfPlainText(doc);
      const shown = /answer cut to fit a Jira comment \(([\d,]+) of ([\d,]+) characters shown\)\. The full answer is logs\/tasks\/jr-c10100\/answer\.md on the agent-bot server/.exec(text);
      assert.ok(shown !== null, 'the cut note names how much is shown and where the rest is');
      assert.equal(shown[2], answer.length.toLocaleString('en-US'));
      assert.ok(Number(shown[1]!.replace(/,/g, '')) > 25_000);
      assert.match(text, /task jr-c10100$/);
    });

    it('shows progress and the plan with approval hints as inline code', () => {
      const working = adfPlainText(renderJiraTaskComment(header, { phase: 'working', stage: 'running', elapsedMs: 12_000, lastLine: 'reading src/', costUsd: 0.5 }));
      assert.match(working, /⏳ Working · Alice asked/);
      assert.match(working, /stage: running · 12s so far · cost so far \$0\.5000/);
      const plan = renderJiraTaskComment(header, { phase: 'plan', plan: '1. change x', deadline: '2026-11-28T09:00:00.000Z' });
      assert.ok(JSON.stringify(plan).includes('{"type":"text","text":"@agent approve","marks":[{"type":"code"}]}'));
    });

    it('signs replies', () => {
      assert.match(adfPlainText(renderJiraReply('**Commands:** `@agent help`')), /Commands: @agent help\n🤖 agent-bot$/);
    });
  });

  describe('classifyJiraError', () => {
    const httpError = (status: number, headers: Record<string, string> = {}, data: unknown = { errorMessages: ['nope'], errors: {} }) => ({ status, response: { data }, cause: { response: { headers } } });

    it('names 401, 403 and 404 and fails them at once; 400 is a refusal', () => {
      const cases: [number, string][] = [[401, ErrorType.ProviderUnauthorized], [403, ErrorType.ProviderForbidden], [404, ErrorType.ProviderNotFound], [400, ErrorType.ProviderRejected]];
      for (const [status, type] of cases) {
        const failure = classifyJiraError(httpError(status), 'posting');
        assert.equal(failure.type, type);
        assert.equal(failure.nonRetryable, true);
        assert.match(failure.message, new RegExp(`posting: Jira answered HTTP ${status}: nope`));
      }
      assert.match(classifyJiraError(httpError(400, {}, { errorMessages: [], errors: { comment: 'The entered text is too long.' } }), 'x').message, /comment: The entered text is too long/);
    });

    it('retries 429 after Retry-After (or X-RateLimit-Reset), and 5xx and network errors with backoff', () => {
      const limited = classifyJiraError(httpError(429, { 'retry-after': '7' }), 'x');
      assert.equal(limited.type, ErrorType.ProviderRateLimited);
      assert.equal(limited.nonRetryable, false);
      assert.equal(limited.nextRetryDelay, 7000);
      const reset = classifyJiraError(httpError(429, { 'x-ratelimit-reset': '2026-11-21T09:01:00Z' }), 'x', Date.parse('2026-11-21T09:00:00Z'));
      assert.equal(reset.nextRetryDelay, 60_000);
      const unavailable = classifyJiraError(httpError(503), 'x');
      assert.equal(unavailable.type, ErrorType.ProviderUnavailable);
      assert.equal(unavailable.nonRetryable, false);
      const network = classifyJiraError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'x');
      assert.ok(network instanceof ApplicationFailure);
      assert.equal(network.type, ErrorType.ProviderUnavailable);
      assert.match(network.message, /Jira did not answer \(ECONNREFUSED/);
    });
  });
});
