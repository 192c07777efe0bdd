import { Context } from '@temporalio/activity';
import type { TargetRef } from '../../contracts/target';
import type { GithubClient } from '../../integrations/github/client';
import { classifyGithubError } from '../../integrations/github/errors';
import { formatTaskComment, taskMarker, type TaskCommentContent } from '../../integrations/github/task-comment';
import { workflowUrl } from '../thread-activities';

export type ReactionContent = 'eyes' | 'rocket' | 'confused' | '+1' | '-1';

export interface GithubActivityDeps {
  github: GithubClient;
  /** Base URL of the Temporal Web UI, for links back to a run. */
  uiUrl: string;
  namespace: string;
}

export interface PublishTaskResultInput extends Omit<TaskCommentContent, 'runUrl'> {
  target: TargetRef;
  taskWorkflowId: string;
  /** When the task started: only comments since then can carry its marker. */
  since: string;
}

/**
 * The GitHub activities of the frozen v1 workflows (workflows/legacy/), registered under their old names
 * so conversations and tasks started before provider-neutral threads keep running after an upgrade.
 */
export function createLegacyGithubActivities(deps: GithubActivityDeps) {
  async function addReaction(input: { target: TargetRef; commentId: number; content: ReactionContent }): Promise<void> {
    try {
      await deps.github.rest.reactions.createForIssueComment({
        owner: input.target.owner,
        repo: input.target.repo,
        comment_id: input.commentId,
        content: input.content,
      });
    } catch (error) {
      throw classifyGithubError(error, `adding a ${input.content} reaction`);
    }
  }

  /**
   * Posts the task's final comment exactly once: a retry after a post that did reach GitHub finds the
   * task's marker and updates that comment instead of adding another.
   */
  async function publishTaskResult(input: PublishTaskResultInput): Promise<{ commentId: number; url: string }> {
    const { target } = input;
    const runUrl = workflowUrl(deps.uiUrl, deps.namespace, input.taskWorkflowId);
    const body = formatTaskComment({ ...input, runUrl });
    try {
      const existing = await findCommentWithMarker(target, taskMarker(input.taskId), input.since);
      Context.current().heartbeat();
      if (existing !== undefined) {
        const updated = await deps.github.rest.issues.updateComment({ owner: target.owner, repo: target.repo, comment_id: existing, body });
        return { commentId: updated.data.id, url: updated.data.html_url };
      }
      const created = await deps.github.rest.issues.createComment({ owner: target.owner, repo: target.repo, issue_number: target.number, body });
      return { commentId: created.data.id, url: created.data.html_url };
    } catch (error) {
      throw classifyGithubError(error, 'posting the result comment');
    }
  }

  async function findCommentWithMarker(target: TargetRef, marker: string, since: string): Promise<number | undefined> {
    const sinceWithSlack = new Date(Date.parse(since) - 60_000).toISOString();
    const pages = deps.github.paginate.iterator(deps.github.rest.issues.listComments, {
      owner: target.owner,
      repo: target.repo,
      issue_number: target.number,
      since: sinceWithSlack,
      per_page: 100,
    });
    for await (const page of pages) {
      const found = page.data.find((comment) => comment.body?.includes(marker) === true);
      if (found !== undefined) return found.id;
    }
    return undefined;
  }

  /** Base and head branches of a PR, for the prompt and the checkout. */
  async function describePullRequest(input: { target: TargetRef }): Promise<{ baseRef: string; headRef: string }> {
    try {
      const { data } = await deps.github.rest.pulls.get({ owner: input.target.owner, repo: input.target.repo, pull_number: input.target.number });
      return { baseRef: data.base.ref, headRef: data.head.ref };
    } catch (error) {
      throw classifyGithubError(error, 'reading the pull request');
    }
  }

  return { addReaction, publishTaskResult, describePullRequest };
}
