import type { ThreadRef } from '../../contracts/thread';
import type { ChangedFile, ThreadChanges, ThreadContent, ThreadMessage, ThreadReader } from '../thread-reader';
import type { GithubClient } from './client';
import { classifyGithubError } from './errors';
import { AGENT_BOT_MARKER_PREFIX } from './task-comment';
import { githubAddress } from './thread';

/** GitHub's largest page of comments and of a pull request's files. */
const PAGE = 100;

/** agent-bot's hidden markers (`<!-- agent-bot:task=… -->`): noise for the agent that reads the thread. */
const MARKERS = /<!-- agent-bot:[^>]*-->\n?/g;

/**
 * Reads a GitHub PR or issue for the agent's thread tools, with the worker's Octokit client (the one the
 * transport writes with): the issue and its latest comments (REST `issues.get`, `issues.listComments`),
 * and a pull request's changed files with their patches (`pulls.get`, `pulls.listFiles`). Reads spend no
 * write budget; failures are classified like every GitHub call (errors.ts).
 */
export function createGithubReader(client: GithubClient): ThreadReader {
  async function read<T>(what: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw classifyGithubError(error, what);
    }
  }

  return {
    provider: 'github',

    async readThread(thread: ThreadRef, options: { maxMessages: number }): Promise<ThreadContent> {
      const { owner, repo, number } = githubAddress(thread);
      const { data: issue } = await read('reading the issue', () => client.rest.issues.get({ owner, repo, issue_number: number }));
      const total = issue.comments;
      const wanted = Math.max(0, Math.min(options.maxMessages, PAGE));
      // Comments come oldest first: read only the page(s) that hold the latest `wanted`.
      const firstPage = Math.floor(Math.max(0, total - wanted) / PAGE) + 1;
      const lastPage = Math.max(firstPage, Math.ceil(total / PAGE));
      const comments = [];
      for (let page = firstPage; wanted > 0 && page <= lastPage; page++) {
        const { data } = await read('reading the comments', () => client.rest.issues.listComments({ owner, repo, issue_number: number, per_page: PAGE, page }));
        comments.push(...data);
      }
      const messages: ThreadMessage[] = comments.slice(Math.max(0, comments.length - wanted)).map((comment) => ({
        id: String(comment.id),
        author: comment.user?.login ?? 'ghost',
        fromAgentBot: comment.body?.includes(AGENT_BOT_MARKER_PREFIX) === true,
        body: (comment.body ?? '').replace(MARKERS, ''),
        createdAt: comment.created_at,
        url: comment.html_url,
      }));
      return {
        title: issue.title,
        body: issue.body ?? '',
        state: issue.pull_request?.merged_at ? 'merged' : issue.state,
        ...(issue.user ? { author: issue.user.login } : {}),
        url: issue.html_url,
        messages,
        totalMessages: Math.max(total, messages.length),
      };
    },

    async readChanges(thread: ThreadRef, options: { maxChars: number; path?: string }): Promise<ThreadChanges> {
      const address = githubAddress(thread);
      if (address.kind !== 'pull_request') throw new Error(`${thread.label} is an issue, not a pull request: it has no diff`);
      const { owner, repo, number } = address;
      const { data: pull } = await read('reading the pull request', () => client.rest.pulls.get({ owner, repo, pull_number: number }));
      const listed = await read('reading the changed files', () => client.paginate(client.rest.pulls.listFiles, { owner, repo, pull_number: number, per_page: PAGE }));
      const chosen = options.path === undefined ? listed : listed.filter((file) => file.filename === options.path);
      if (options.path !== undefined && chosen.length === 0) throw new Error(`${options.path} is not among the ${listed.length} files this pull request changes`);
      let budget = options.maxChars;
      let truncated = false;
      const files = chosen.map((file): ChangedFile => {
        const fits = file.patch !== undefined && file.patch.length <= budget;
        if (fits) budget -= file.patch!.length;
        else if (file.patch !== undefined) truncated = true;
        return {
          path: file.filename,
          status: file.status,
          additions: file.additions,
          deletions: file.deletions,
          ...(file.previous_filename === undefined ? {} : { previousPath: file.previous_filename }),
          ...(fits ? { patch: file.patch } : {}),
        };
      });
      return { baseRef: pull.base.ref, headRef: pull.head.ref, headSha: pull.head.sha, files, truncated };
    },
  };
}
