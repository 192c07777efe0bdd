import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Harness } from '../support/harness';
import { replayClosedWorkflows } from '../support/replay';
import { testTemporal } from '../support/temporal';
import { waitFor } from '../support/wait';
import { githubFixture, sendGithubDelivery } from '../support/webhooks';

describe('end to end: @agent on a GitHub thread, through a real worker, to the comment', function () {
  this.timeout(120_000);
  let h: Harness;
  before(async () => {
    h = await Harness.start();
  });
  after(async () => {
    await h.stop();
  });

  it('answers a PR comment with one result comment, eyes then rocket reactions, a log and a status', async () => {
    const response = await h.comment('Looks good so far.\n\n@agent review this');
    assert.equal(response.status, 202);
    assert.equal(response.body['workflow_id'], `github:acme/${h.repo}#42`);
    assert.match(String(response.body['task_id']), /^gh-/);
    const taskId = String(response.body['task_id']);

    const comment = await waitFor('the result comment', () => h.commentsOn()[0]);
    assert.match(comment.body, /The answer is 42\./);
    assert.match(comment.body, /asked: review this/);
    assert.ok(comment.body.includes(`<!-- agent-bot:task=${taskId} -->`));
    assert.match(comment.body, /took \d+s/);
    assert.ok(comment.body.includes(`http://localhost:8233/namespaces/default/workflows/${encodeURIComponent(h.taskId(taskId))}`));
    assert.doesNotMatch(comment.body, /LEAKED/, 'the agent saw secrets or unrelated variables');

    const commentId = 7_000_042;
    await waitFor('the rocket reaction', () => h.github.reactionsOn(commentId).includes('rocket'));
    assert.deepEqual(h.github.reactionsOn(commentId), ['eyes', 'rocket']);
    assert.ok(h.github.requests.every((request) => request.authorization === 'token test-token'));

    const logFile = path.join(h.dataDir, 'logs', 'tasks', taskId, 'stream.jsonl');
    const events = fs.readFileSync(logFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.ok(events.every((event) => typeof event['ts'] === 'string' && event['task_id'] === taskId));
    assert.deepEqual(events.filter((e) => e['event_type'] === 'cli_output').map((e) => e['line']), ['reading the repository', 'asked: review this', 'The answer is 42.']);
    assert.equal(events[0]?.['event_type'], 'progress');
    assert.deepEqual(events.at(-1)?.['success'], true);

    const status = await waitFor('the task in status', async () => {
      const s = await h.status();
      return s.past.length === 1 ? s : undefined;
    });
    assert.equal(status.phase, 'idle');
    assert.equal(status.past[0]?.outcome, 'succeeded');
    assert.equal(status.past[0]?.request, 'review this');
    assert.equal(status.totals.tasks, 1);
  });

  it('keeps the search attributes current, so AgentTarget finds the thread and its tasks', async () => {
    const query = `AgentTarget = "acme/${h.repo}#42"`;
    const found = await waitFor('both workflows in visibility', async () => {
      const ids: string[] = [];
      for await (const execution of testTemporal().client.workflow.list({ query })) ids.push(execution.workflowId);
      return ids.length >= 2 ? ids : undefined;
    });
    assert.ok(found.includes(h.targetId()));
    assert.ok(found.some((id) => id.startsWith(`${h.targetId()}/task/gh-`)));
    const succeeded = await waitFor('AgentStatus of the task', async () => {
      for await (const execution of testTemporal().client.workflow.list({ query: `${query} AND AgentStatus = "succeeded"` })) return execution;
      return undefined;
    });
    assert.equal(succeeded.searchAttributes['AgentRequester']?.[0], 'octocat');
  });

  it('runs commands on one thread one at a time, in order', async () => {
    const first = await h.comment('@agent first request', { number: 43 });
    const second = await h.comment('@agent second request', { number: 43 });
    assert.equal(first.status, 202);
    assert.equal(second.status, 202);
    const status = await waitFor('both tasks to finish', async () => {
      const current = await h.status(43);
      return current.past.length === 2 ? current : undefined;
    });
    const comments = h.commentsOn(43);
    assert.match(comments[0]!.body, /first request/);
    assert.match(comments[1]!.body, /second request/);
    assert.deepEqual(status.past.map((task) => task.request), ['first request', 'second request']);
  });

  it('runs a redelivered webhook once, whether it comes again later or twice at once', async () => {
    const deliveryId = 'b5f0c0de-0000-4000-8000-000000000044';
    const [a, b] = await Promise.all([
      h.comment('@agent only once please', { number: 44, deliveryId }),
      h.comment('@agent only once please', { number: 44, deliveryId }),
    ]);
    assert.equal(a.status, 202);
    assert.equal(b.status, 202);
    assert.equal(a.body['task_id'], b.body['task_id']);
    await waitFor('the result comment', () => h.commentsOn(44)[0]);
    const again = await h.comment('@agent only once please', { number: 44, deliveryId });
    assert.equal(again.status, 202);
    // A later, different command shows the earlier ones were processed, not merely still queued.
    await h.comment('@agent a different request', { number: 44 });
    const status = await waitFor('the second task to finish', async () => {
      const current = await h.status(44);
      return current.past.length >= 2 ? current : undefined;
    });
    assert.deepEqual(status.past.map((task) => task.request), ['only once please', 'a different request']);
    assert.equal(h.commentsOn(44).length, 2);
  });

  it('winds a thread down when its PR is closed', async () => {
    await h.comment('@agent before closing', { number: 45 });
    await waitFor('the result comment', () => h.commentsOn(45)[0]);
    const closed = githubFixture<{ number: number; repository: { name: string } }>('pull_request.closed');
    closed.number = 45;
    closed.repository.name = h.repo;
    const response = await sendGithubDelivery(h.gateway.url, { event: 'pull_request', payload: closed });
    assert.equal(response.status, 202);
    const result = (await h.target(45).result()) as { phase: string; past: unknown[] };
    assert.equal(result.past.length, 1);
    const description = await h.target(45).describe();
    assert.equal(description.status.name, 'COMPLETED');
  });

  it('records histories that replay without determinism errors', async () => {
    const replayed = await replayClosedWorkflows(h.repo, 'end-to-end');
    assert.ok(replayed >= 5, `replayed only ${replayed} histories`);
  });
});
