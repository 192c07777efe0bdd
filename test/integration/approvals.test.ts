import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { approvalUpdate, taskStatusQuery } from '../../contracts/messages';
import { Harness } from '../support/harness';
import { testTemporal } from '../support/temporal';
import { replayClosedWorkflows } from '../support/replay';
import { waitFor } from '../support/wait';
import { githubFixture, sendGithubDelivery } from '../support/webhooks';

const PLANNER = { agent: 'planner.js', env: { AGENT_PROMPT_TEMPLATE: '{request}' } };

async function startFix(h: Harness, number: number) {
  const response = await h.comment('@agent fix the flaky login test', { number });
  const taskId = String(response.body['task_id']);
  const task = testTemporal().client.workflow.getHandle(h.taskId(taskId, number));
  await waitFor('the plan to wait for approval', async () => (await task.query(taskStatusQuery)).phase === 'awaiting_approval', 30_000);
  return { taskId, task };
}

function finalComment(h: Harness, number: number) {
  return waitFor('the final comment', () => h.commentsOn(number)[0], 30_000);
}

describe('approval', function () {
  this.timeout(120_000);
  let h: Harness;
  before(async () => {
    h = await Harness.start(PLANNER);
    h.github.permissions.set('maintainer', 'write');
  });
  after(async () => {
    await h.stop();
  });

  it('plans first, shows the plan and waits; "@agent approve" runs it and the comment says who approved', async () => {
    const { task } = await startFix(h, 200);
    const plan = h.allCommentsOn(200).find((c) => c.body.includes('Plan awaiting approval'));
    assert.ok(plan, 'the plan is shown in the task comment');
    assert.match(plan.body, /PLAN: 1\. read the code/);
    assert.match(plan.body, /or use the check run's buttons/, 'a PR task with a check run offers its buttons');
    const check = h.github.checkRuns[0]!;
    assert.equal(check.conclusion, 'action_required');
    assert.deepEqual(check.actions?.map((a) => a.identifier), ['approve', 'reject']);
    assert.equal(check.external_id, task.workflowId);
    // The thread says the plan waits for a person, not that it is still being planned.
    await h.comment('@agent status', { number: 200 });
    const statusReply = await waitFor('the status reply', () => h.allCommentsOn(200).find((c) => c.body.includes('**agent-bot status**')));
    assert.match(statusReply.body, /- Running: `[^`]+` _.*_ by @octocat — plan ready, waiting for approval/);

    await h.comment('@agent approve', { number: 200 });
    const done = await finalComment(h, 200);
    assert.match(done.body, /DONE: fixed it \(plan approved\)/);
    assert.match(done.body, /Approved by @octocat via comment/);
    assert.equal(h.allCommentsOn(200).filter((c) => c.body.includes('agent-bot:task=')).length, 1, 'one task comment, edited in place');
    const status = await task.query(taskStatusQuery);
    assert.equal(status.approval?.by, 'octocat');
    assert.equal(status.outcome, 'succeeded');
    // The check run is completed just after the comment: wait for it, not for the comment.
    const runs = await waitFor('the work check run to complete', () => {
      const found = h.github.checkRuns.filter((r) => r.external_id === task.workflowId);
      return found.at(-1)?.conclusion === 'success' ? found : undefined;
    });
    assert.deepEqual(runs.map((r) => r.conclusion), ['action_required', 'success']);
  });

  it('"@agent reject <reason>" ends the task as rejected with the reason, and nothing runs', async () => {
    await startFix(h, 201);
    await h.comment('@agent reject not this week', { number: 201 });
    const done = await finalComment(h, 201);
    assert.match(done.body, /Rejected/);
    assert.match(done.body, /not this week/);
    assert.doesNotMatch(done.body, /DONE/);
    const past = await waitFor('the task in status', async () => (await h.status(201)).past[0]);
    assert.equal(past.outcome, 'rejected');
  });

  it('approves through the check run button, and refuses a click by someone without write access', async () => {
    const { task } = await startFix(h, 202);
    const click = (login: string, identifier: string) => {
      const payload = githubFixture<Record<string, unknown>>('check_run.requested_action');
      payload['check_run'] = { id: 1, external_id: task.workflowId };
      payload['requested_action'] = { identifier };
      payload['repository'] = { name: h.repo, owner: { login: 'acme' } };
      payload['sender'] = { login, type: 'User' };
      return sendGithubDelivery(h.gateway.url, { event: 'check_run', payload });
    };
    assert.equal((await click('drive-by', 'approve')).status, 202);
    await waitFor('the refusal', () => h.repliesOn(202).some((c) => c.body.includes('@drive-by you may not approve')));
    assert.equal((await task.query(taskStatusQuery)).phase, 'awaiting_approval', 'still waiting');
    assert.equal((await click('maintainer', 'approve')).status, 202);
    const done = await finalComment(h, 202);
    assert.match(done.body, /Approved by @maintainer via check_run/);
  });

  it('approves with `temporal workflow signal` from the CLI, as the README shows', async () => {
    const { task } = await startFix(h, 203);
    execFileSync(testTemporal().cliPath, [
      'workflow', 'signal', '--address', testTemporal().address, '--workflow-id', task.workflowId, '--name', 'approval',
      '--input', JSON.stringify({ decision: 'approve', by: 'ops-alice', via: 'cli', trusted: true }),
    ]);
    const done = await finalComment(h, 203);
    assert.match(done.body, /Approved by @ops-alice via cli/);
  });

  it('answers an approval update at once: refused when nothing waits, accepted while waiting', async () => {
    const { task } = await startFix(h, 204);
    const accepted = await task.executeUpdate(approvalUpdate, { args: [{ decision: 'approve', by: 'api-user', via: 'api', trusted: true }] });
    assert.deepEqual(accepted, { taskId: (await task.query(taskStatusQuery)).taskId, decision: 'approve', by: 'api-user' });
    await assert.rejects(task.executeUpdate(approvalUpdate, { args: [{ decision: 'approve', by: 'late', via: 'api', trusted: true }] }), (error: unknown) => {
      const cause = (error as { cause?: { message?: string } }).cause;
      return /not waiting for approval/.test(cause?.message ?? '');
    });
    await finalComment(h, 204);
  });

  it('leaves histories that replay without determinism errors', async () => {
    const replayed = await replayClosedWorkflows(h.repo, 'approvals');
    assert.ok(replayed >= 4, `replayed only ${replayed} histories`);
  });
});

describe('approval that nobody gives', function () {
  this.timeout(90_000);

  it('sends a reminder, then ends as expired and says so', async () => {
    const h = await Harness.start({ ...PLANNER, env: { ...PLANNER.env, APPROVAL_TIMEOUT: '5s', APPROVAL_REMINDER: '3s' } });
    try {
      await startFix(h, 210);
      await waitFor('the reminder', () => h.repliesOn(210).some((c) => c.body.includes('still waits for approval')), 30_000);
      const done = await finalComment(h, 210);
      assert.match(done.body, /Expired/);
      assert.match(done.body, /Nobody approved the plan/);
      // The check run is completed just after the comment: wait for that event itself (this was the flake).
      const check = await waitFor('the check run to end as timed out', () => (h.github.checkRuns.at(-1)?.status === 'completed' && h.github.checkRuns.at(-1)?.conclusion !== 'action_required' ? h.github.checkRuns.at(-1) : undefined));
      assert.equal(check.conclusion, 'timed_out');
    } finally {
      await h.stop();
    }
  });
});

describe('approval across a worker restart', function () {
  this.timeout(90_000);

  it('still works after the worker restarted while the task waited', async () => {
    const h = await Harness.start(PLANNER);
    try {
      await startFix(h, 220);
      await h.stopWorkers();
      await h.startWorkers();
      await h.comment('@agent approve', { number: 220 });
      const done = await finalComment(h, 220);
      assert.match(done.body, /DONE: fixed it \(plan approved\)/);
    } finally {
      await h.stop();
    }
  });
});
