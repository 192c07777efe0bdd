import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { Version3Client } from 'jira.js';
import { JiraStandIn } from '../../support/jira-stand-in';
import { adfDocument, adfText } from '../../support/jira-adf';
import { commentCreatedPayload, issueCreatedPayload, issueLabelAddedPayload, jiraDelivery, signJiraWebhook } from '../../support/jira-deliveries';

/** What jira.js 5 throws for an HTTP error: an HttpException whose `cause` is the AxiosError. */
interface JiraJsError {
  status: number;
  response: { data: { errorMessages: string[]; errors: Record<string, string> } };
  cause: { response: { headers: Record<string, string> } };
}

function asJiraError(error: unknown): JiraJsError {
  return error as JiraJsError;
}

describe('JiraStandIn with jira.js', () => {
  let jira: JiraStandIn;
  let client: Version3Client;

  beforeEach(async () => {
    jira = await new JiraStandIn().start();
    jira.addIssue({ key: 'PROJ-1', summary: 'Flaky login test', description: 'It fails one run in ten.\nSee CI.', labels: ['backend'] });
    client = new Version3Client({ host: jira.url, authentication: { basic: { email: jira.email, apiToken: jira.apiToken } } });
  });

  afterEach(() => jira.stop());

  it('answers /myself with the account id, over Basic auth', async () => {
    const me = await client.myself.getCurrentUser();
    assert.equal(me.accountId, jira.accountId);
    assert.equal(jira.requests[0]!.authorization, `Basic ${Buffer.from(`${jira.email}:${jira.apiToken}`).toString('base64')}`);
  });

  it("answers 401 with Jira's error body for a wrong token", async () => {
    const stranger = new Version3Client({ host: jira.url, authentication: { basic: { email: jira.email, apiToken: 'wrong' } } });
    await assert.rejects(stranger.myself.getCurrentUser(), (error) => {
      assert.equal(asJiraError(error).status, 401);
      assert.deepEqual(asJiraError(error).response.data, { errorMessages: ['Client must be authenticated to access this resource.'], errors: {} });
      return true;
    });
  });

  it('returns an issue with ADF description, labels, project and status, and only the fields asked for', async () => {
    const issue = await client.issues.getIssue({ issueIdOrKey: 'PROJ-1' });
    assert.equal(issue.key, 'PROJ-1');
    assert.equal(issue.fields.summary, 'Flaky login test');
    assert.equal(adfText(issue.fields.description as never), 'It fails one run in ten.\nSee CI.');
    assert.deepEqual(issue.fields.labels, ['backend']);
    assert.equal(issue.fields.project.key, 'PROJ');
    assert.equal(issue.fields.status.name, 'To Do');

    const narrow = await client.issues.getIssue({ issueIdOrKey: 'PROJ-1', fields: ['summary', 'labels'] });
    assert.deepEqual(Object.keys(narrow.fields).sort(), ['labels', 'summary']);
    assert.equal(jira.requests.at(-1)!.query.get('fields'), 'summary,labels');
  });

  it("answers 404 with Jira's error body for an unknown issue", async () => {
    await assert.rejects(client.issues.getIssue({ issueIdOrKey: 'PROJ-404' }), (error) => {
      assert.equal(asJiraError(error).status, 404);
      assert.deepEqual(asJiraError(error).response.data.errorMessages, ['Issue does not exist or you do not have permission to see it.']);
      return true;
    });
  });

  it('stores comments as ADF, keeps every edit, and pages them', async () => {
    jira.addComment('PROJ-1', '@agent please fix this');
    const added = await client.issueComments.addComment({ issueIdOrKey: 'PROJ-1', comment: 'Working on it' });
    assert.equal(added.author?.accountId, jira.accountId);
    assert.deepEqual(jira.commentsOn('PROJ-1')[1]!.body, adfDocument('Working on it'));

    await client.issueComments.updateComment({ issueIdOrKey: 'PROJ-1', id: added.id!, body: adfDocument('Done: PR #12') });
    assert.deepEqual(jira.commentHistory.get(added.id!)!.map(adfText), ['Working on it', 'Done: PR #12']);

    const page = await client.issueComments.getComments({ issueIdOrKey: 'PROJ-1', startAt: 1, maxResults: 1 });
    assert.equal(page.total, 2);
    assert.deepEqual(page.comments?.map((c) => adfText(c.body as never)), ['Done: PR #12']);

    await assert.rejects(client.issueComments.updateComment({ issueIdOrKey: 'PROJ-1', id: '999', body: 'x' }), (e) => asJiraError(e).status === 404);
  });

  it('refuses a comment over 32,767 characters with 400 and errors.comment, and a body that is not ADF', async () => {
    const tooLong = client.issueComments.addComment({ issueIdOrKey: 'PROJ-1', comment: adfDocument('x'.repeat(32_767)) });
    await assert.rejects(tooLong, (error) => {
      assert.equal(asJiraError(error).status, 400);
      assert.deepEqual(asJiraError(error).response.data, { errorMessages: [], errors: { comment: 'The entered text is too long. It exceeds the allowed limit of 32,767 characters.' } });
      return true;
    });
    // The default measure is the ADF JSON, so the text must leave room for the document around it.
    const overhead = JSON.stringify(adfDocument('x')).length - 1;
    const fits = adfDocument('x'.repeat(32_767 - overhead));
    assert.equal(JSON.stringify(fits).length, 32_767);
    await client.issueComments.addComment({ issueIdOrKey: 'PROJ-1', comment: fits });

    const plain = await fetch(`${jira.url}/rest/api/3/issue/PROJ-1/comment`, {
      method: 'POST',
      headers: { authorization: jira.requests[0]!.authorization!, 'content-type': 'application/json' },
      body: JSON.stringify({ body: 'plain text is v2' }),
    });
    assert.equal(plain.status, 400);
    assert.deepEqual(await plain.json(), { errorMessages: [], errors: { comment: 'Comment body is not valid!' } });
    assert.equal(jira.commentsOn('PROJ-1').length, 1);
  });

  it('measures the text instead when asked to', async () => {
    const lenient = await new JiraStandIn({ countCommentAs: 'text' }).start();
    try {
      lenient.addIssue({ key: 'PROJ-1' });
      const c = new Version3Client({ host: lenient.url, authentication: { basic: { email: lenient.email, apiToken: lenient.apiToken } } });
      await c.issueComments.addComment({ issueIdOrKey: 'PROJ-1', comment: 'x'.repeat(32_767) });
      await assert.rejects(c.issueComments.addComment({ issueIdOrKey: 'PROJ-1', comment: 'x'.repeat(32_768) }), (e) => asJiraError(e).status === 400);
    } finally {
      await lenient.stop();
    }
  });

  it('scripts a 429 with Retry-After and a 5xx: jira.js does not retry, and the header is on error.cause', async () => {
    jira.failNext('POST', /\/comment$/, 429, 1, { headers: { 'retry-after': '7' } });
    await assert.rejects(client.issueComments.addComment({ issueIdOrKey: 'PROJ-1', comment: 'x' }), (error) => {
      assert.equal(asJiraError(error).status, 429);
      assert.equal(asJiraError(error).cause.response.headers['retry-after'], '7');
      return true;
    });
    jira.failNext('GET', /^\/rest\/api\/3\/issue\/PROJ-1$/, 503, 1);
    await assert.rejects(client.issues.getIssue({ issueIdOrKey: 'PROJ-1' }), (e) => asJiraError(e).status === 503);
    assert.equal(jira.requestsTo('POST', /\/comment$/).length, 1);
    assert.equal(jira.commentsOn('PROJ-1').length, 0);

    jira.failNext('POST', /\/comment$/, 502, 1, { afterApplying: true });
    await assert.rejects(client.issueComments.addComment({ issueIdOrKey: 'PROJ-1', comment: 'lost answer' }), (e) => asJiraError(e).status === 502);
    assert.equal(jira.commentsOn('PROJ-1').length, 1, 'the comment was stored although the answer was a 502');
  });

  describe('deliveries', () => {
    it('signs with sha256=<hex HMAC> over the exact body, with the identifier and retry headers', () => {
      const payload = commentCreatedPayload({ issue: { key: 'PROJ-1' }, body: '[~accountid:5b10] please fix', authorAccountId: '5b10' });
      const delivery = jiraDelivery(payload, { secret: 'jira-secret', identifier: '12345', retry: 2 });
      assert.equal(delivery.headers['x-hub-signature'], `sha256=${createHmac('sha256', 'jira-secret').update(delivery.body).digest('hex')}`);
      assert.equal(delivery.headers['x-hub-signature'], signJiraWebhook('jira-secret', Buffer.from(delivery.body)));
      assert.equal(delivery.headers['x-atlassian-webhook-identifier'], '12345');
      assert.equal(delivery.headers['x-atlassian-webhook-retry'], '2');
      assert.equal(jiraDelivery(payload).headers['x-hub-signature'], undefined);
    });

    it('builds comment_created, jira:issue_created and a label-adding jira:issue_updated', () => {
      const comment = commentCreatedPayload({ issue: { key: 'PROJ-1' }, body: 'please fix', authorAccountId: 'acc-1' }) as { webhookEvent: string; comment: { author: { accountId: string }; body: string }; issue: { key: string } };
      assert.equal(comment.webhookEvent, 'comment_created');
      assert.equal(comment.comment.author.accountId, 'acc-1');
      assert.equal(comment.comment.body, 'please fix');
      assert.equal(comment.issue.key, 'PROJ-1');

      const created = issueCreatedPayload({ issue: { key: 'PROJ-2', summary: 'New bug' }, userAccountId: 'acc-1' }) as { webhookEvent: string; issue: { fields: { summary: string } } };
      assert.equal(created.webhookEvent, 'jira:issue_created');
      assert.equal(created.issue.fields.summary, 'New bug');

      const updated = issueLabelAddedPayload({ issue: { key: 'PROJ-3', labels: ['backend'] }, label: 'agent', userAccountId: 'acc-1' }) as {
        webhookEvent: string;
        issue: { fields: { labels: string[] } };
        changelog: { items: { field: string; fromString: string; toString: string }[] };
      };
      assert.equal(updated.webhookEvent, 'jira:issue_updated');
      assert.deepEqual(updated.issue.fields.labels, ['backend', 'agent']);
      assert.deepEqual(updated.changelog.items.map((i) => [i.field, i.fromString, i.toString]), [['labels', 'backend', 'backend agent']]);
    });
  });
});
