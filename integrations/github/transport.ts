import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../../contracts/errors';
import type { CommandReaction, TaskOutcome, TaskPresence, TaskView } from '../../contracts/presence';
import type { ThreadRef } from '../../contracts/thread';
import type { Checkout, PromptContext, ShowOptions, TaskOnThread, ThreadTransport, ThreadUser } from '../transport';
import { WriteBudgetExhausted, type WriteBudgets, type WritePriority } from '../write-budget';
import type { GithubClient } from './client';
import { classifyGithubError } from './errors';
import { renderTaskComment, replyMarker, taskMarker } from './task-comment';
import { githubAddress, type GithubAddress } from './thread';

export interface GithubTransportOptions {
  client: GithubClient;
  /** Shared by every task of the process: one budget for the token. */
  budgets: WriteBudgets;
  /** Open a check run named `checkRunName` on PRs (needs a GitHub App token). */
  checkRuns: boolean;
  checkRunName: string;
  /** Least time between two in-progress edits of a check run (ms); stage changes and endings always go. */
  checkRunEditIntervalMs: number;
  now?: () => number;
}

const BUDGET_KEY = 'github';

const REACTIONS: Record<CommandReaction, 'eyes' | 'rocket' | 'confused'> = { accepted: 'eyes', succeeded: 'rocket', failed: 'confused' };

type CheckConclusion = 'success' | 'failure' | 'cancelled' | 'neutral' | 'timed_out' | 'action_required';

const CONCLUSIONS: Record<TaskOutcome, CheckConclusion> = {
  succeeded: 'success',
  failed: 'failure',
  cancelled: 'cancelled',
  rejected: 'neutral',
  expired: 'timed_out',
};

/**
 * agent-bot on a GitHub PR or issue: one comment per task edited in place (a hidden marker ties it to
 * its task), reactions on the command's comment, and on PRs a check run that follows the task and
 * carries the Approve/Reject buttons. Writes go through the token's write budget; a read happens only
 * when an earlier attempt may have written without our learning the answer.
 */
export function createGithubTransport(options: GithubTransportOptions): ThreadTransport {
  const { client } = options;
  const now = options.now ?? Date.now;
  const lastCheckEdit = new Map<number, { at: number; stage: string }>();

  async function write<T>(priority: WritePriority, what: string, request: () => Promise<T>): Promise<T | undefined> {
    try {
      return await options.budgets.run(priority, [BUDGET_KEY], request);
    } catch (error) {
      if (error instanceof WriteBudgetExhausted) {
        throw ApplicationFailure.create({ message: `${what}: ${error.message}`, type: ErrorType.GithubRateLimited, nextRetryDelay: error.retryAfterMs });
      }
      throw classified(error, what);
    }
  }

  /** Classifies once, and makes a rate-limit answer pause every later write of the token. */
  function classified(error: unknown, what: string): ApplicationFailure {
    const failure = classifyGithubError(error, what, now());
    if (failure.type === ErrorType.GithubRateLimited) {
      const delay = failure.nextRetryDelay === undefined ? 60_000 : Number(failure.nextRetryDelay);
      options.budgets.pause([BUDGET_KEY], now() + (Number.isFinite(delay) ? delay : 60_000));
    }
    return failure;
  }

  async function read<T>(what: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw classified(error, what);
    }
  }

  async function findTaskComment(address: GithubAddress, taskId: string, since: string): Promise<number | undefined> {
    const marker = taskMarker(taskId);
    const sinceWithSlack = new Date(Date.parse(since) - 60_000).toISOString();
    return read('looking for the task comment', async () => {
      const pages = client.paginate.iterator(client.rest.issues.listComments, { owner: address.owner, repo: address.repo, issue_number: address.number, since: sinceWithSlack, per_page: 100 });
      for await (const page of pages) {
        const found = page.data.find((comment) => comment.body?.includes(marker) === true);
        if (found !== undefined) return found.id;
      }
      return undefined;
    });
  }

  async function findCheckRun(address: GithubAddress, headSha: string, taskWorkflowId: string): Promise<number | undefined> {
    return read('looking for the check run', async () => {
      const { data } = await client.rest.checks.listForRef({ owner: address.owner, repo: address.repo, ref: headSha, check_name: options.checkRunName, per_page: 100 });
      return data.check_runs.find((run) => run.external_id === taskWorkflowId)?.id;
    });
  }

  /**
   * Opens the task's check run, at progress priority: it shows the work, it is not the answer. When a burst
   * of tasks has used the write budget the task goes without one (its comment and answer still post),
   * rather than holding its agent back until a slot frees up. Closing an open one is urgent (show).
   */
  async function createCheckRun(task: TaskOnThread, address: GithubAddress, headSha: string, summary: string): Promise<number | undefined> {
    const created = await write('progress', 'opening the check run', () =>
      client.rest.checks.create({
        owner: address.owner,
        repo: address.repo,
        name: options.checkRunName,
        head_sha: headSha,
        status: 'in_progress',
        // A button click comes back with this id: the gateway signals that workflow.
        external_id: task.taskWorkflowId,
        details_url: task.header.runUrl,
        output: { title: options.checkRunName, summary },
      }),
    );
    return created?.data.id;
  }

  /** The check run's part of a view; `undefined` when nothing changes for it. */
  function checkRunUpdate(view: TaskView, checkRunId: number): Record<string, unknown> | undefined {
    const output = (summary: string) => ({ title: options.checkRunName, summary: summary.slice(0, 60_000) });
    switch (view.phase) {
      case 'working': {
        const last = lastCheckEdit.get(checkRunId);
        if (last !== undefined && last.stage === view.stage && now() - last.at < options.checkRunEditIntervalMs) return undefined;
        lastCheckEdit.set(checkRunId, { at: now(), stage: view.stage });
        return { status: 'in_progress', output: output(`${view.stage}${view.lastLine ? `\n\n    ${view.lastLine}` : ''}`) };
      }
      case 'plan':
        return {
          status: 'completed',
          conclusion: 'action_required',
          output: output(`Plan awaiting approval:\n\n${view.plan}`),
          actions: [
            { label: 'Approve', description: 'Run the plan', identifier: 'approve' },
            { label: 'Reject', description: 'Do not run the plan', identifier: 'reject' },
          ],
        };
      case 'final':
        lastCheckEdit.delete(checkRunId);
        return { status: 'completed', conclusion: CONCLUSIONS[view.outcome], output: output(view.text.slice(0, 2_000)), actions: [] };
    }
  }

  return {
    provider: 'github',

    async react(thread: ThreadRef, messageId: string, reaction: CommandReaction): Promise<void> {
      const address = githubAddress(thread);
      const commentId = Number(messageId);
      if (!Number.isSafeInteger(commentId)) return; // a command with no comment (an API call) has nothing to react on
      // GitHub answers 200 with the existing reaction when it is there already: retries are harmless.
      // Skipped rather than waited for when the budget is short (see ThreadTransport.react).
      await write('progress', `adding a ${REACTIONS[reaction]} reaction`, () =>
        client.rest.reactions.createForIssueComment({ owner: address.owner, repo: address.repo, comment_id: commentId, content: REACTIONS[reaction] }),
      );
    },

    async reply(thread: ThreadRef, text: string): Promise<void> {
      const address = githubAddress(thread);
      await write('urgent', 'posting a reply', () =>
        client.rest.issues.createComment({ owner: address.owner, repo: address.repo, issue_number: address.number, body: `${replyMarker()}\n${text}` }),
      );
    },

    checkout(thread: ThreadRef): Checkout {
      const address = githubAddress(thread);
      return address.kind === 'pull_request'
        ? { fetchRef: `+refs/pull/${address.number}/head`, branch: `agent-bot/pr-${address.number}` }
        : { branch: `agent-bot/issue-${address.number}` };
    },

    async begin(task: TaskOnThread, { mayExist, presence }): Promise<{ presence: TaskPresence; context: PromptContext }> {
      const address = githubAddress(task.thread);
      if (address.kind !== 'pull_request') return { presence, context: { notes: [] } };
      const { data } = await read('reading the pull request', () => client.rest.pulls.get({ owner: address.owner, repo: address.repo, pull_number: address.number }));
      const context: PromptContext = {
        ...(data.title ? { title: data.title } : {}),
        notes: [`The pull request merges \`${data.head.ref}\` into \`${data.base.ref}\`; the workspace is checked out at its head.`],
      };
      if (!options.checkRuns) return { presence, context };
      const headSha = data.head.sha;
      const state = presence.state ?? {};
      if (typeof state['checkRunId'] === 'number' && state['checkRunCompleted'] !== true) return { presence, context };
      if (state['checkRunCompleted'] === true) {
        // The approved plan runs now: a completed check run cannot run again, so the work gets a new one.
        const reopened = await createCheckRun(task, address, headSha, 'Approved; running the plan.');
        return { presence: { ...presence, state: { headSha, ...(reopened === undefined ? {} : { checkRunId: reopened }) } }, context };
      }
      const existing = mayExist ? await findCheckRun(address, headSha, task.taskWorkflowId) : undefined;
      const checkRunId = existing ?? (await createCheckRun(task, address, headSha, 'starting'));
      return { presence: { ...presence, state: { headSha, ...(checkRunId === undefined ? {} : { checkRunId }) } }, context };
    },

    async show(task: TaskOnThread, presence: TaskPresence, view: TaskView, showOptions: ShowOptions): Promise<TaskPresence | undefined> {
      const address = githubAddress(task.thread);
      // Only a task with a check run (a PR, GITHUB_CHECK_RUNS on) has buttons to offer.
      const body = renderTaskComment(task.header, view, { checkRunButtons: typeof presence.state?.['checkRunId'] === 'number' });
      let commentId = presence.messageId === undefined ? undefined : Number(presence.messageId);
      if (commentId === undefined && showOptions.mayExist === true) commentId = await findTaskComment(address, task.header.taskId, task.startedAt);
      const posted = commentId === undefined
        ? await write(showOptions.priority, 'posting the task comment', () => client.rest.issues.createComment({ owner: address.owner, repo: address.repo, issue_number: address.number, body }))
        : await write(showOptions.priority, 'updating the task comment', () => client.rest.issues.updateComment({ owner: address.owner, repo: address.repo, comment_id: commentId, body }));
      if (posted === undefined) return undefined;
      const next: TaskPresence = { ...presence, messageId: String(posted.data.id) };
      return { ...next, state: await showOnCheckRun(task, address, presence, view, showOptions.priority) };
    },

    async mayApprove(thread: ThreadRef, user: ThreadUser): Promise<boolean> {
      const address = githubAddress(thread);
      try {
        const { data } = await client.rest.repos.getCollaboratorPermissionLevel({ owner: address.owner, repo: address.repo, username: user.name });
        return ['admin', 'maintain', 'write'].includes(data.permission);
      } catch (error) {
        if ((error as { status?: number }).status === 404) return false;
        throw classified(error, 'checking who may approve');
      }
    },
  };

  /** Keeps the PR's check run in step with the view; after an approval a new one opens (a completed one cannot run again). */
  async function showOnCheckRun(task: TaskOnThread, address: GithubAddress, presence: TaskPresence, view: TaskView, priority: WritePriority): Promise<TaskPresence['state']> {
    const state = presence.state ?? {};
    const checkRunId = typeof state['checkRunId'] === 'number' ? state['checkRunId'] : undefined;
    const headSha = typeof state['headSha'] === 'string' ? state['headSha'] : undefined;
    if (checkRunId === undefined || headSha === undefined) return presence.state;
    const update = checkRunUpdate(view, checkRunId);
    if (update !== undefined) {
      const id = checkRunId;
      await write(priority, 'updating the check run', () => client.rest.checks.update({ owner: address.owner, repo: address.repo, check_run_id: id, ...update }));
    }
    return { headSha, checkRunId, ...(view.phase === 'working' ? {} : { checkRunCompleted: true }) };
  }
}
