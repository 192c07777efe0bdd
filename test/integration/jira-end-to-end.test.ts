import assert from 'node:assert/strict';
import { WorkflowNotFoundError } from '@temporalio/client';
import { statusQuery } from '../../contracts/messages';
import { threadWorkflowId } from '../../contracts/thread';
import { Harness } from '../support/harness';
import { type AdfNode, adfText } from '../support/jira-adf';
import { commentCreatedPayload, issueCreatedPayload, issueLabelAddedPayload } from '../support/jira-deliveries';
import type { JiraComment } from '../support/jira-stand-in';
import { testTemporal } from '../support/temporal';
import { waitFor } from '../support/wait';

const ALICE = '557058:f58131cb-b67d-43c7-b30d-6b58d40bd077';

describe('end to end: Jira Cloud, signed webhooks to ADF comments through jira.js', function () {
  this.timeout(120_000);
  let h: Harness;
  let site: string;
  let nextComment = 30_000;
  let nextIssue = 1;

  before(async () => {
    h = await Harness.start({ agent: 'prompt.js', jira: true, env: { PROMPT_AGENT_SECONDS: '2', AGENT_ENV_PASSTHROUGH: 'PROMPT_AGENT_SECONDS' } });
    site = new URL(h.jira.url).host;
  });
  after(async () => {
    await h.stop();
  });

  /** A new issue in the stand-in, in the harness's mapped project unless `project` says otherwise. */
  const issue = (fields: { summary?: string; description?: string; labels?: string[]; project?: string } = {}) =>
    h.jira.addIssue({ key: `${fields.project ?? h.jiraProject}-${nextIssue++}`, ...fields });
  const comment = (key: string, body: string, author = ALICE) =>
    commentCreatedPayload({ issue: { key, summary: h.jira.issues.get(key)?.summary }, body, authorAccountId: author, authorName: author === ALICE ? 'Alice' : 'Someone', commentId: String(nextComment++) });
  const text = (c: JiraComment) => adfText(c.body);
  const ours = (key: string) => h.jira.commentsOn(key).filter((c) => c.authorAccountId === h.jira.accountId);
  const finalComment = (key: string) => waitFor(`the answer on ${key}`, () => ours(key).find((c) => /^(✅|❌)/.test(text(c))));
  const status = (key: string) => testTemporal().client.workflow.getHandle(threadWorkflowId({ provider: 'jira', key: `${site}/${key}` })).query(statusQuery);
  const types = (node: AdfNode): string[] => [node.type, ...(node.content ?? []).flatMap(types)];
  const conversationExists = async (key: string) => {
    try {
      await testTemporal().client.workflow.getHandle(`jira:${site}/${key}`).describe();
      return true;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return false;
      throw error;
    }
  };

  it('refuses a delivery signed with another secret, or not signed, with 401; accepts a signed one', async () => {
    const { key } = issue();
    const wrong = await h.sendJira(comment(key, '@agent review'), { secret: 'not-the-secret' });
    assert.equal(wrong.status, 401);
    assert.deepEqual(wrong.body, { error: 'unauthorized' });
    const unsigned = await h.sendJira(comment(key, '@agent review'), { secret: null });
    assert.equal(unsigned.status, 401);
    assert.equal(await conversationExists(key), false, 'a refused delivery starts nothing');
    const signed = await h.sendJira(comment(key, 'no command here'));
    assert.equal(signed.status, 200);
    assert.deepEqual(signed.body, { ignored: 'no @agent command in the comment' });
  });

  it('answers a comment mentioning @agent with one ADF comment, posted as progress and edited in place into the answer', async () => {
    const { key } = issue({ summary: 'Login fails' });
    const payload = comment(key, '@agent explain this:\n{code:javascript}\nlogin(user)\n{code}\n* first step\n* see [the docs|https://example.com/docs]');
    const answer = await h.sendJira(payload);
    assert.equal(answer.status, 202);
    const commentId = (payload as { comment: { id: string } }).comment.id;
    assert.equal(answer.body['task_id'], `jr-c${commentId}`);
    assert.equal(answer.body['workflow_id'], `jira:${site}/${key}`);

    const final = await finalComment(key);
    assert.equal(ours(key).length, 1, 'one comment per task');
    const history = h.jira.commentHistory.get(final.id)!;
    assert.ok(history.length >= 2, `the comment was edited in place (${history.length} versions)`);
    assert.match(adfText(history[0]!), /^⏳ Working · Alice asked: explain this:/);
    assert.match(text(final), /^✅ Done · Alice asked: explain this:/);
    assert.match(text(final), new RegExp(`🤖 agent-bot · took \\d+s · run in Temporal UI · task jr-c${commentId}$`));
    // The agent's Markdown (here: the request it echoes) survives as ADF.
    const all = types(final.body);
    assert.ok(all.includes('codeBlock'), 'a code block');
    assert.ok(all.includes('bulletList'), 'a list');
    assert.ok(JSON.stringify(final.body).includes('"href":"https://example.com/docs"'), 'a link');
    assert.deepEqual(final.body.content.find((node) => node.type === 'codeBlock')?.attrs, { language: 'javascript' });
    assert.doesNotMatch(text(final), /LEAKED/);
    assert.ok(h.jira.requests.every((r) => r.authorization === `Basic ${Buffer.from(`${h.jira.email}:${h.jira.apiToken}`).toString('base64')}`));
    assert.ok(h.jira.requestsTo('PUT', /\/comment\/\d+$/).length >= 1, 'edits are PUTs of the same comment');
  });

  it("runs a comment that mentions the bot's account id", async () => {
    const { key } = issue();
    const answer = await h.sendJira(comment(key, `[~accountid:${h.jira.accountId}] review the retry logic`));
    assert.equal(answer.status, 202);
    assert.match(text(await finalComment(key)), /Alice asked: review the retry logic[\s\S]*The prompt was:\nreview the retry logic/);
  });

  it('starts a task from a new issue with the trigger label, and from a label added later; its request is the summary and description', async () => {
    const created = issue({ summary: 'Add a retry to fetch', description: 'The fetch call fails one run in ten.', labels: ['agent'] });
    const payload = issueCreatedPayload({ issue: { key: created.key, id: created.id, summary: created.summary, description: 'The {{fetch}} call fails one run in ten.', labels: ['agent'] }, userAccountId: ALICE });
    const answer = await h.sendJira(payload);
    assert.equal(answer.status, 202);
    assert.equal(answer.body['task_id'], `jr-i${created.id}`);
    assert.match(text(await finalComment(created.key)), /The prompt was:\nAdd a retry to fetch\nThe fetch call fails one run in ten\./);

    const later = issue({ summary: 'Flaky login test', labels: ['backend'] });
    const labelled = await h.sendJira(issueLabelAddedPayload({ issue: { key: later.key, id: later.id, summary: later.summary, labels: ['backend'] }, label: 'agent', userAccountId: ALICE }));
    assert.equal(labelled.status, 202);
    assert.match(text(await finalComment(later.key)), /The prompt was:\nFlaky login test/);

    const unlabelled = issue({ summary: 'Not for the agent' });
    const ignored = await h.sendJira(issueCreatedPayload({ issue: { key: unlabelled.key, id: unlabelled.id, summary: unlabelled.summary, labels: ['backend'] }, userAccountId: ALICE }));
    assert.deepEqual(ignored.body, { ignored: 'the issue has no agent label' });
  });

  it('runs a retried delivery, and the same comment from a second webhook, once', async () => {
    const { key } = issue();
    const payload = comment(key, '@agent review once');
    const first = await h.sendJira(payload, { identifier: 'jira-delivery-77' });
    const retried = await h.sendJira(payload, { identifier: 'jira-delivery-77', retry: 1 });
    const secondWebhook = await h.sendJira(payload, { identifier: 'jira-delivery-78' });
    assert.deepEqual([first.status, retried.status, secondWebhook.status], [202, 202, 202]);
    assert.equal(retried.body['task_id'], first.body['task_id'], 'every delivery names the same task');
    await finalComment(key);
    const done = await waitFor('the conversation idle', async () => {
      const s = await status(key);
      return s.phase === 'idle' && s.queued.length === 0 ? s : undefined;
    });
    assert.equal(done.totals.tasks, 1);
    assert.equal(ours(key).length, 1);
  });

  it('posts once when Jira stored a comment but its answer was lost (a 502), and retries a 429 after its Retry-After', async () => {
    const { key } = issue();
    h.jira.failNext('POST', new RegExp(`/issue/${key}/comment$`), 502, 1, { afterApplying: true });
    // Two 429s: whichever edit meets the first (a progress edit or the answer), the answer's edit meets one and is retried by Temporal.
    h.jira.failNext('PUT', new RegExp(`/issue/${key}/comment/\\d+$`), 429, 2, { headers: { 'retry-after': '1' } });
    assert.equal((await h.sendJira(comment(key, '@agent review the cache'))).status, 202);
    const final = await finalComment(key);
    assert.equal(ours(key).length, 1, 'the comment stored before the 502 was found by its marker, not posted again');
    assert.ok(h.jira.requestsTo('GET', new RegExp(`/issue/${key}/comment$`)).length >= 1, 'it looked for the comment before posting again');
    const edits = h.jira.requestsTo('PUT', new RegExp(`/issue/${key}/comment/${final.id}$`));
    assert.deepEqual(edits.map((r) => r.status), [429, 429, 200]);
    assert.ok(edits[1]!.at - edits[0]!.at >= 950 && edits[2]!.at - edits[1]!.at >= 950, 'each edit after a 429 waited for its Retry-After');
    assert.match(text(final), /^✅ Done/);
  });

  it("starts nothing from agent-bot's own comments, by its account or by its signature", async () => {
    const { key } = issue();
    const byAccount = await h.sendJira(comment(key, '@agent review', h.jira.accountId));
    assert.deepEqual([byAccount.status, byAccount.body], [200, { ignored: 'comment written by agent-bot' }]);
    const signed = await h.sendJira(comment(key, 'Reply {{@agent approve}}, or @agent reject.\n\n🤖 agent-bot', 'someone-else'));
    assert.deepEqual([signed.status, signed.body], [200, { ignored: 'comment written by agent-bot' }]);
    assert.equal(await conversationExists(key), false);
  });

  it('replies clearly to a request naming a repository the mapping does not allow, and runs an unmapped project in an empty folder', async () => {
    const { key } = issue();
    assert.equal((await h.sendJira(comment(key, '@agent in evil/widgets review'))).status, 202);
    const reply = await waitFor('the refusal', () => ours(key).find((c) => text(c).includes("can't work on")));
    assert.match(text(reply), new RegExp(`I can't work on evil/widgets here: JIRA_PROJECT_REPOS allows acme/${h.repo}\\. Project ${h.jiraProject} works on acme/${h.repo}\\.`));
    assert.match(text(reply), /🤖 agent-bot$/);

    const unmapped = issue({ project: 'MISC' });
    assert.equal((await h.sendJira(comment(unmapped.key, '@agent explain'))).status, 202);
    assert.match(text(await finalComment(unmapped.key)), /This thread has no repository, so the agent worked in an empty folder/);
  });
});
