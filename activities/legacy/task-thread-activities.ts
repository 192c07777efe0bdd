import type { TargetRef } from '../../contracts/target';
import type { PullRequestRefs, TaskOutcome } from '../../contracts/task';
import type { GithubClient } from '../../integrations/github/client';
import { classifyGithubError } from '../../integrations/github/errors';
import {
  formatPlanComment,
  formatProgressComment,
  PROGRESS_HEADLINE,
  replyMarker,
  taskMarker,
  type PlanCommentContent,
  type ProgressCommentContent,
} from '../../integrations/github/task-comment';
import { workflowUrl } from '../thread-activities';

/** Worker settings a task follows, returned by `beginTask` so they are recorded in its history. */
export interface TaskSettings {
  approvalTimeoutMs: number;
  approvalReminderMs: number;
  progressCommentIntervalMs: number;
  mention: string;
}

export interface TaskThreadDeps {
  github: GithubClient;
  uiUrl: string;
  namespace: string;
  checkRuns: boolean;
  /** Name of the check run on PRs. */
  checkRunName: string;
  settings: TaskSettings;
}

export interface BeganTask {
  settings: TaskSettings;
  commentId: number;
  checkRunId?: number;
  pullRequest?: PullRequestRefs & { headSha: string };
}

type CheckConclusion = 'success' | 'failure' | 'cancelled' | 'neutral' | 'timed_out' | 'action_required';

const CONCLUSIONS: Record<TaskOutcome, CheckConclusion> = {
  succeeded: 'success',
  failed: 'failure',
  cancelled: 'cancelled',
  rejected: 'neutral',
  expired: 'timed_out',
};

/** The task's presence on GitHub for the frozen v1 task workflow: one comment edited in place and, on PRs, a check run. */
export function createTaskThreadActivities(deps: TaskThreadDeps) {
  const { github } = deps;
  const runUrl = (workflowId: string): string => workflowUrl(deps.uiUrl, deps.namespace, workflowId);

  /** Posts (or finds, on a retry) the task's comment, reads the PR's branches and opens its check run. */
  async function beginTask(input: { target: TargetRef; taskWorkflowId: string; taskId: string; request: string; requester: string; since: string }): Promise<BeganTask> {
    const { target } = input;
    try {
      const body = formatProgressComment({ taskId: input.taskId, request: input.request, requester: input.requester, stage: 'starting', elapsedMs: 0, runUrl: runUrl(input.taskWorkflowId) });
      const commentId = (await findComment(target, taskMarker(input.taskId), input.since)) ?? (await createComment(target, body));
      if (target.kind !== 'pull_request') return { settings: deps.settings, commentId };
      const { data } = await github.rest.pulls.get({ owner: target.owner, repo: target.repo, pull_number: target.number });
      const pullRequest = { baseRef: data.base.ref, headRef: data.head.ref, headSha: data.head.sha };
      if (!deps.checkRuns) return { settings: deps.settings, commentId, pullRequest };
      const checkRunId = await createCheckRun(target, pullRequest.headSha, input.taskWorkflowId, 'starting');
      return { settings: deps.settings, commentId, checkRunId, pullRequest };
    } catch (error) {
      throw classifyGithubError(error, 'starting the task on its thread');
    }
  }

  async function updateProgressComment(input: { target: TargetRef; commentId: number; taskWorkflowId: string } & Omit<ProgressCommentContent, 'runUrl'>): Promise<void> {
    const { target, commentId, taskWorkflowId, ...content } = input;
    try {
      // A progress edit that arrives late (a slow or retried attempt) must never overwrite the final text.
      const { data } = await github.rest.issues.getComment({ owner: target.owner, repo: target.repo, comment_id: commentId });
      if (data.body?.includes(PROGRESS_HEADLINE) !== true) return;
      await github.rest.issues.updateComment({ owner: target.owner, repo: target.repo, comment_id: commentId, body: formatProgressComment({ ...content, runUrl: runUrl(taskWorkflowId) }) });
    } catch (error) {
      throw classifyGithubError(error, 'updating the progress comment');
    }
  }

  async function showPlan(input: { target: TargetRef; commentId: number; taskWorkflowId: string } & Omit<PlanCommentContent, 'runUrl'>): Promise<void> {
    const { target, commentId, taskWorkflowId, ...content } = input;
    try {
      await github.rest.issues.updateComment({ owner: target.owner, repo: target.repo, comment_id: commentId, body: formatPlanComment({ ...content, runUrl: runUrl(taskWorkflowId) }) });
    } catch (error) {
      throw classifyGithubError(error, 'posting the plan');
    }
  }

  /** Opens a new check run (a completed one cannot run again, e.g. after approval). */
  async function openCheckRun(input: { target: TargetRef; headSha: string; taskWorkflowId: string; summary: string }): Promise<number> {
    try {
      return await createCheckRun(input.target, input.headSha, input.taskWorkflowId, input.summary);
    } catch (error) {
      throw classifyGithubError(error, 'opening the check run');
    }
  }

  async function updateCheckRun(input: {
    target: TargetRef;
    checkRunId: number;
    summary: string;
    /** Absent: still in progress. */
    outcome?: TaskOutcome | 'awaiting_approval';
  }): Promise<void> {
    const { target } = input;
    const base = { owner: target.owner, repo: target.repo, check_run_id: input.checkRunId, output: { title: deps.checkRunName, summary: input.summary.slice(0, 60_000) } };
    try {
      if (input.outcome === undefined) {
        await github.rest.checks.update({ ...base, status: 'in_progress' });
      } else if (input.outcome === 'awaiting_approval') {
        await github.rest.checks.update({
          ...base,
          status: 'completed',
          conclusion: 'action_required',
          actions: [
            { label: 'Approve', description: 'Run the plan', identifier: 'approve' },
            { label: 'Reject', description: 'Do not run the plan', identifier: 'reject' },
          ],
        });
      } else {
        await github.rest.checks.update({ ...base, status: 'completed', conclusion: CONCLUSIONS[input.outcome], actions: [] });
      }
    } catch (error) {
      throw classifyGithubError(error, 'updating the check run');
    }
  }

  /** A reply on the thread (status, help, refusals): marked so it is never read as a command. */
  async function postReply(input: { target: TargetRef; body: string }): Promise<void> {
    try {
      await github.rest.issues.createComment({ owner: input.target.owner, repo: input.target.repo, issue_number: input.target.number, body: `${replyMarker()}\n${input.body}` });
    } catch (error) {
      throw classifyGithubError(error, 'posting a reply');
    }
  }

  /** Whether a GitHub user may approve: write, maintain or admin permission on the repository. */
  async function mayApprove(input: { target: TargetRef; login: string }): Promise<boolean> {
    try {
      const { data } = await github.rest.repos.getCollaboratorPermissionLevel({ owner: input.target.owner, repo: input.target.repo, username: input.login });
      return ['admin', 'maintain', 'write'].includes(data.permission);
    } catch (error) {
      if ((error as { status?: number }).status === 404) return false;
      throw classifyGithubError(error, 'checking who may approve');
    }
  }

  async function createComment(target: TargetRef, body: string): Promise<number> {
    const { data } = await github.rest.issues.createComment({ owner: target.owner, repo: target.repo, issue_number: target.number, body });
    return data.id;
  }

  async function findComment(target: TargetRef, marker: string, since: string): Promise<number | undefined> {
    const sinceWithSlack = new Date(Date.parse(since) - 60_000).toISOString();
    for await (const page of github.paginate.iterator(github.rest.issues.listComments, { owner: target.owner, repo: target.repo, issue_number: target.number, since: sinceWithSlack, per_page: 100 })) {
      const found = page.data.find((comment) => comment.body?.includes(marker) === true);
      if (found !== undefined) return found.id;
    }
    return undefined;
  }

  async function createCheckRun(target: TargetRef, headSha: string, taskWorkflowId: string, summary: string): Promise<number> {
    const { data } = await github.rest.checks.create({
      owner: target.owner,
      repo: target.repo,
      name: deps.checkRunName,
      head_sha: headSha,
      status: 'in_progress',
      // A button click comes back with this id: the gateway signals that workflow.
      external_id: taskWorkflowId,
      details_url: runUrl(taskWorkflowId),
      output: { title: deps.checkRunName, summary },
    });
    return data.id;
  }

  return { beginTask, updateProgressComment, showPlan, openCheckRun, updateCheckRun, postReply, mayApprove };
}

export type TaskThreadActivities = ReturnType<typeof createTaskThreadActivities>;
