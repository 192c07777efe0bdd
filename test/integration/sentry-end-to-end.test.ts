import assert from 'node:assert/strict';
import { WorkflowNotFoundError } from '@temporalio/client';
import { statusQuery } from '../../contracts/messages';
import { threadWorkflowId } from '../../contracts/thread';
import { Harness } from '../support/harness';
import { sentryCommentCreated, sentryEventAlertTriggered, sentryIssueCreated } from '../support/sentry-deliveries';
import type { SentryFrameSeed } from '../support/sentry-stand-in';
import { testTemporal } from '../support/temporal';
import { waitFor } from '../support/wait';

/** The default prompt of the claude and codex runners: the provider's context (the stack trace) is part of it. */
const TEMPLATE = 'You were asked on {provider} ({thread} {target}{title}) by @{requester}:\n\n{request}\n\nThread: {url}{repo}{context}';

const FRAMES: SentryFrameSeed[] = [
  { filename: 'node:internal/process/task_queues', function: 'processTicksAndRejections', lineNo: 95, inApp: false },
  { filename: 'src/routes/login.ts', function: 'postLogin', lineNo: 18, colNo: 3, inApp: true },
  { filename: 'src/handler.ts', absPath: '/app/src/handler.ts', function: 'handle', lineNo: 42, colNo: 7, contextLine: '  return x.y;', inApp: true },
];

describe('end to end: Sentry, signed integration webhooks to issue comments through the API', function () {
  this.timeout(120_000);
  let h: Harness;
  let nextIssue = 5_000;
  let nextComment = 4_000;

  before(async () => {
    h = await Harness.start({ agent: 'prompt.js', sentry: true, env: { AGENT_PROMPT_TEMPLATE: TEMPLATE, PROMPT_AGENT_SECONDS: '2', AGENT_ENV_PASSTHROUGH: 'PROMPT_AGENT_SECONDS' } });
  });
  after(async () => {
    await h.stop();
  });

  /** A new issue in the stand-in, whose latest event raised `TypeError: x is undefined` in `handle`. */
  const issue = (projectSlug = 'backend') => {
    const id = String(nextIssue++);
    h.sentry.addIssue({ id, shortId: `BACKEND-${id}`, title: 'TypeError: x is undefined', culprit: 'handle(src/handler.ts)', projectSlug, exception: { type: 'TypeError', value: 'x is undefined', frames: FRAMES } });
    return id;
  };
  const comment = (issueId: string, text: string, projectSlug = 'backend') => sentryCommentCreated({ issueId, comment: text, commentId: nextComment++, userName: 'alice', projectSlug });
  const finalComment = (issueId: string) => waitFor(`the answer on issue ${issueId}`, () => h.sentry.commentsOn(issueId).find((c) => /^\*\*(✅|❌)/.test(c.text)));
  const conversation = (issueId: string) => testTemporal().client.workflow.getHandle(threadWorkflowId({ provider: 'sentry', key: `${h.sentryOrg}/${issueId}` }));
  const conversationExists = async (issueId: string) => {
    try {
      await conversation(issueId).describe();
      return true;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return false;
      throw error;
    }
  };
  /** The stack trace as the prompt should show it: most recent call last, with the source line. */
  const assertStackTrace = (text: string) => {
    assert.match(text, /Stack trace of its latest event \(0+\d+\), most recent call last:/);
    assert.match(text, /TypeError: x is undefined\n {2}at processTicksAndRejections \(node:internal\/process\/task_queues:95\)\n {2}at postLogin \(src\/routes\/login\.ts:18:3\) \[in app\]\n {2}at handle \(src\/handler\.ts:42:7\) \[in app\]\n {6}42 \| {3}return x\.y;/);
  };

  it('refuses a delivery signed with another secret, or not signed, with 401; accepts a signed one', async () => {
    const id = issue();
    const wrong = await h.sendSentry('comment', comment(id, '@agent explain'), { secret: 'not-the-client-secret' });
    assert.deepEqual([wrong.status, wrong.body], [401, { error: 'unauthorized' }]);
    const unsigned = await h.sendSentry('comment', comment(id, '@agent explain'), { secret: null });
    assert.equal(unsigned.status, 401);
    assert.equal(await conversationExists(id), false, 'a refused delivery starts nothing');
    const signed = await h.sendSentry('comment', comment(id, 'just a note'));
    assert.deepEqual([signed.status, signed.body], [200, { ignored: 'no @agent command in the comment' }]);
    const installed = await h.sendSentry('installation', { action: 'created', installation: { uuid: 'x' }, data: {} });
    assert.deepEqual([installed.status, installed.body], [200, { ok: true }]);
  });

  it('answers a comment mentioning @agent with one comment edited in place, the stack trace in the prompt', async () => {
    const id = issue();
    const payload = comment(id, 'Seen again after the deploy.\n\n@agent explain this crash');
    const answer = await h.sendSentry('comment', payload);
    assert.equal(answer.status, 202);
    const commentId = (payload as { data: { comment_id: number } }).data.comment_id;
    assert.equal(answer.body['task_id'], `sn-c${commentId}`);
    assert.equal(answer.body['workflow_id'], `sentry:${h.sentryOrg}/${id}`);

    const final = await finalComment(id);
    assert.equal(h.sentry.commentsOn(id).length, 1, 'one comment per task');
    assert.ok(final.history.length >= 2, `the comment was edited in place (${final.history.length} versions)`);
    assert.match(final.history[0]!, /^\*\*⏳ Working\*\* · alice asked: _explain this crash_/);
    assert.match(final.text, /^\*\*✅ Done\*\* · alice asked: _explain this crash_/);
    assert.match(final.text, new RegExp(`_🤖 agent-bot · took \\d+s · \\[run in Temporal UI\\]\\([^)]+\\) · task \`sn-c${commentId}\`_$`));
    assert.match(final.text, new RegExp(`You were asked on Sentry \\(Sentry issue ${id} "TypeError: x is undefined"\\) by @alice:\\n\\nexplain this crash`));
    assert.match(final.text, new RegExp(`Repository: acme/${h.repo}`));
    assertStackTrace(final.text);
    assert.doesNotMatch(final.text, /LEAKED/);
    assert.ok(h.sentry.requests.every((r) => r.authorization === `Bearer ${h.sentry.token}`));
    assert.ok(h.sentry.requestsTo('PUT', new RegExp(`/organizations/${h.sentryOrg}/issues/${id}/comments/\\d+/$`)).length >= 1, 'edits are PUTs of the same comment');
  });

  it('starts a task from a new issue, and from an alert, asking for the cause with the title, culprit, link and stack trace', async () => {
    const id = issue();
    const created = await h.sendSentry('issue', sentryIssueCreated({ issueId: id, title: 'TypeError: x is undefined', culprit: 'handle(src/handler.ts)', shortId: `BACKEND-${id}` }));
    assert.equal(created.status, 202);
    assert.equal(created.body['task_id'], `sn-i${id}`);
    const final = await finalComment(id);
    assert.match(final.text, /by @Sentry:\n\nFind the cause of this Sentry error, point at the code responsible, and propose a fix\.\n\nError: TypeError: x is undefined\nCulprit: handle\(src\/handler\.ts\)\nIssue: BACKEND-\d+ https:\/\/acme\.sentry\.io\/issues\/\d+\//);
    assertStackTrace(final.text);

    const alerted = issue();
    const alert = await h.sendSentry('event_alert', sentryEventAlertTriggered({ issueId: alerted, ruleName: 'Ask agent-bot', eventId: 'feedc0de'.repeat(4), exception: { type: 'TypeError', value: 'x is undefined', frames: [] } }));
    assert.equal(alert.status, 202);
    const alertAnswer = await finalComment(alerted);
    assert.match(alertAnswer.text, /Alert rule: Ask agent-bot/);
    assertStackTrace(alertAnswer.text);
  });

  it('runs a retried delivery (same Request-ID), and the same issue sent again, once', async () => {
    const id = issue();
    const payload = sentryIssueCreated({ issueId: id, title: 'TypeError: x is undefined', shortId: `BACKEND-${id}` });
    const first = await h.sendSentry('issue', payload, { requestId: 'sentry-request-1' });
    const retried = await h.sendSentry('issue', payload, { requestId: 'sentry-request-1' });
    const resent = await h.sendSentry('issue', payload, { requestId: 'sentry-request-2' });
    assert.deepEqual([first.status, retried.status, resent.status], [202, 202, 202]);
    assert.equal(resent.body['task_id'], first.body['task_id']);
    await finalComment(id);
    const done = await waitFor('the conversation idle', async () => {
      const s = await conversation(id).query(statusQuery);
      return s.phase === 'idle' && s.queued.length === 0 ? s : undefined;
    });
    assert.equal(done.totals.tasks, 1);
    assert.equal(h.sentry.commentsOn(id).length, 1);
  });

  it("starts nothing from agent-bot's own comments", async () => {
    const id = issue();
    const ours = await h.sendSentry('comment', comment(id, '**📋 Plan awaiting approval**\n\nReply `@agent approve` or @agent reject.\n\n_🤖 agent-bot · task `sn-c1`_'));
    assert.deepEqual([ours.status, ours.body], [200, { ignored: 'comment written by agent-bot' }]);
    assert.equal(await conversationExists(id), false);
  });

  it('replies clearly to a request naming a repository the mapping does not allow, and runs an unmapped project in an empty folder', async () => {
    const id = issue();
    assert.equal((await h.sendSentry('comment', comment(id, '@agent in evil/widgets fix it'))).status, 202);
    const reply = await waitFor('the refusal', () => h.sentry.commentsOn(id).find((c) => c.text.includes("can't work on")));
    assert.match(reply.text, new RegExp(`^I can't work on \`evil/widgets\` here: SENTRY_PROJECT_REPOS allows \`acme/${h.repo}\`\\. Project backend works on \`acme/${h.repo}\`\\.`));
    assert.match(reply.text, /_🤖 agent-bot_$/);

    const unmapped = issue('frontend');
    assert.equal((await h.sendSentry('comment', comment(unmapped, '@agent explain', 'frontend'))).status, 202);
    const final = await finalComment(unmapped);
    assert.match(final.text, /There is no repository for this thread: you work in an empty folder\./, 'the prompt says so');
    assert.match(final.text, /> This thread has no repository, so the agent worked in an empty folder/, 'and so does the answer');
  });
});
