import assert from 'node:assert/strict';
import { WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import { taskIdFor } from '../../contracts/thread';
import { Harness } from '../support/harness';
import { testTemporal } from '../support/temporal';
import { waitFor } from '../support/wait';

describe('posting results when GitHub misbehaves', function () {
  this.timeout(120_000);
  let h: Harness;
  before(async () => {
    h = await Harness.start();
  });
  after(async () => {
    await h.stop();
  });

  it('retries a 502 twice and still posts exactly one comment', async () => {
    h.github.failNext('POST', /\/issues\/50\/comments$/, 502, 2);
    await h.comment('@agent survive the flaky API', { number: 50 });
    await waitFor('the rocket reaction', () => h.github.reactionsOn(7_000_050).includes('rocket'));
    const posts = h.github.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/issues/50/comments'));
    assert.equal(posts.length, 3, 'two failed attempts, then one that succeeded');
    assert.equal(h.commentsOn(50).length, 1);
  });

  it('posts once when a post reached GitHub but its answer was lost', async () => {
    h.github.failNext('POST', /\/issues\/51\/comments$/, 502, 1, { afterApplying: true });
    await h.comment('@agent the answer gets lost', { number: 51 });
    await waitFor('the rocket reaction', () => h.github.reactionsOn(7_000_051).includes('rocket'));
    assert.equal(h.commentsOn(51).length, 1);
    assert.ok(h.github.requests.some((r) => r.method === 'PATCH'), 'the retry found the marker and updated that comment');
  });

  it('honours Retry-After on a 429', async () => {
    h.github.failNext('POST', /\/issues\/52\/comments$/, 429, 1, { headers: { 'retry-after': '2' } });
    await h.comment('@agent rate limited', { number: 52 });
    await waitFor('the result comment', () => h.commentsOn(52)[0]);
    const posts = h.github.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/issues/52/comments'));
    assert.equal(posts.length, 2);
  });

  it('fails fast on a 404 with a named, non-retryable reason', async () => {
    h.github.failNext('POST', /\/issues\/53\/comments$/, 404, 100);
    const response = await h.comment('@agent post to a gone repo', { number: 53 });
    const taskId = String(response.body['task_id']);
    const handle = testTemporal().client.workflow.getHandle(h.taskId(taskId, 53));
    const error = await waitFor('the task to fail', () =>
      handle.result().then(
        () => undefined,
        (e: unknown) => (e instanceof WorkflowNotFoundError ? undefined : e),
      ),
    );
    assert.ok(error instanceof WorkflowFailedError, `unexpected ${String(error)}`);
    assert.match(String(error.cause?.message), /HTTP 404/);
    assert.equal((error.cause as { type?: string }).type, 'GithubNotFound');
    const posts = h.github.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/issues/53/comments'));
    assert.equal(posts.length, 1, 'a 404 is not retried');
    const status = await waitFor('the failure in status', async () => (await h.status(53)).past[0]);
    assert.equal(status.outcome, 'failed');
    assert.match(status.reason ?? '', /404/);
    assert.equal(taskId, taskIdFor('github', 'c7000053'), 'the task id comes from the comment, not the delivery');
  });
});

describe('a failing agent', function () {
  this.timeout(60_000);
  let h: Harness;
  before(async () => {
    h = await Harness.start({ agent: 'fail.js' });
  });
  after(async () => {
    await h.stop();
  });

  it('gets a comment with a short reason and a confused reaction', async () => {
    await h.comment('@agent do something impossible', { number: 60 });
    const comment = await waitFor('the failure comment', () => h.commentsOn(60)[0]);
    assert.match(comment.body, /Failed/);
    assert.match(comment.body, /exited with code 3/);
    assert.match(comment.body, /could not read the repository/);
    await waitFor('the confused reaction', () => h.github.reactionsOn(7_000_060).includes('confused'));
  });
});

describe('a missing agent binary', function () {
  this.timeout(60_000);
  let h: Harness;
  before(async () => {
    h = await Harness.start({ env: { AGENT_COMMAND: '/nonexistent/agent-cli', AGENT_ARGS: '[]' } });
  });
  after(async () => {
    await h.stop();
  });

  it('fails at once with an error naming AGENT_COMMAND', async () => {
    await h.comment('@agent hello', { number: 61 });
    const comment = await waitFor('the failure comment', () => h.commentsOn(61)[0]);
    assert.match(comment.body, /AGENT_COMMAND "\/nonexistent\/agent-cli" could not be started/);
  });
});
