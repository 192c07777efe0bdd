import assert from 'node:assert/strict';
import { createTaskThreadActivities } from '../../activities/legacy/task-thread-activities';
import { createGithubClient } from '../../integrations/github/client';
import { formatTaskComment } from '../../integrations/github/task-comment';
import { GithubStandIn } from '../support/github-stand-in';

describe('v1 task thread activities (kept for runs started before threads) against the GitHub stand-in', () => {
  let github: GithubStandIn;
  const target = { provider: 'github' as const, owner: 'acme', repo: 'widgets', number: 7, kind: 'issue' as const };
  const activities = () =>
    createTaskThreadActivities({
      github: createGithubClient({ token: 't', apiUrl: github.url }),
      uiUrl: 'http://ui',
      namespace: 'default',
      checkRuns: true,
      checkRunName: 'agent-bot',
      settings: { approvalTimeoutMs: 1000, approvalReminderMs: 500, progressCommentIntervalMs: 1000, mention: '@agent' },
    });
  before(async () => {
    github = await new GithubStandIn().start();
  });
  after(async () => {
    await github.stop();
  });

  it('a progress edit that arrives after the final comment leaves the final text alone', async () => {
    const thread = activities();
    const began = await thread.beginTask({ target, taskWorkflowId: 'wf', taskId: 'gh-1', request: 'do it', requester: 'octocat', since: new Date().toISOString() });
    const progress = { target, commentId: began.commentId, taskWorkflowId: 'wf', taskId: 'gh-1', request: 'do it', requester: 'octocat', stage: 'running', elapsedMs: 1000 };
    await thread.updateProgressComment(progress);
    assert.match(github.comments[0]!.body, /⏳ Working/);
    const final = formatTaskComment({ taskId: 'gh-1', outcome: 'succeeded', request: 'do it', requester: 'octocat', text: 'All done.', durationMs: 2000, usage: {}, runUrl: 'http://ui', logPath: 'x' });
    github.comments[0]!.body = final;
    await thread.updateProgressComment({ ...progress, stage: 'late' });
    assert.equal(github.comments[0]!.body, final);
  });

  it('beginTask run twice (a retry) finds its comment instead of posting a second one', async () => {
    const thread = activities();
    const input = { target: { ...target, number: 8 }, taskWorkflowId: 'wf2', taskId: 'gh-2', request: 'do it', requester: 'octocat', since: new Date().toISOString() };
    const first = await thread.beginTask(input);
    const second = await thread.beginTask(input);
    assert.equal(second.commentId, first.commentId);
    assert.equal(github.commentsOn('acme', 'widgets', 8).length, 1);
  });
});
