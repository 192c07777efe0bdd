import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { ErrorType } from '../../contracts/errors';
import type { CommandReaction, TaskPresence, TaskView } from '../../contracts/presence';
import type { ThreadRef } from '../../contracts/thread';
import { taskMarkerPattern } from '../agent-bot-signature';
import type { Checkout, PromptContext, ShowOptions, TaskOnThread, ThreadTransport, ThreadUser } from '../transport';
import { WriteBudgetExhausted, type WriteBudgets, type WritePriority, type WriteWindow } from '../write-budget';
import type { JiraClient } from './client';
import { jiraText } from './comment-text';
import { classifyJiraError } from './errors';
import { adfPlainText, renderJiraReply, renderJiraTaskComment, type AdfDocument } from './render';
import { jiraAddress, type JiraAddress } from './thread';
import { adfNodeSchema, richTextSchema } from './webhook-schemas';

export interface JiraTransportOptions {
  client: JiraClient;
  /** `acme.atlassian.net`: threads of another site are refused (the config changed under a conversation). */
  site: string;
  /** Shared by every task of the process: one budget for the API token, and one per issue. */
  budgets: WriteBudgets;
  /** agent-bot's account: a mention of it in the issue's description reads as the plain mention. */
  accountId?: string;
  mention: string;
  now?: () => number;
}

/**
 * Jira Cloud's limits (https://developer.atlassian.com/cloud/jira/platform/rate-limiting/): API-token traffic
 * is held to per-second burst limits per tenant, endpoint and method, and a per-issue write limit
 * (`RateLimit-Reason: jira-per-issue-on-write`); the points-based hourly quotas apply to apps, not to API
 * tokens. Atlassian publishes no numbers for either (the page's only figure is an example budget of 10 calls
 * a second), so we stay well below that: 5 writes a second and 150 a minute per token, and 5 writes per
 * 10 seconds per issue. A 429 still pauses every write of the token for the time Jira names.
 */
export const JIRA_WRITE_WINDOWS: readonly WriteWindow[] = [
  { limit: 5, perMs: 1_000 },
  { limit: 150, perMs: 60_000 },
];
export const JIRA_ISSUE_WRITE_WINDOWS: readonly WriteWindow[] = [{ limit: 5, perMs: 10_000 }];

const TOKEN_KEY = 'jira';

const commentSchema = z.object({ id: z.string().min(1), body: adfNodeSchema.optional(), created: z.string().optional() });
const commentPageSchema = z.object({ comments: z.array(commentSchema).optional().default([]) });
const issueSchema = z.object({ fields: z.object({ summary: z.string().optional(), description: richTextSchema }).optional().default({}) });
const usersSchema = z.array(z.object({ accountId: z.string() }));

/** Longest description put in the prompt, in characters. */
const MAX_DESCRIPTION = 8_000;

/**
 * agent-bot on a Jira issue: one comment per task, in Atlassian Document Format, posted when the task starts
 * and edited in place into its answer; replies are comments too. Jira's public REST API has no reactions, so
 * the task's comment is the acknowledgement. Writes go through the token's and the issue's write budgets; a
 * read happens only when an earlier attempt may have posted without our learning the comment's id.
 */
export function createJiraTransport(options: JiraTransportOptions): ThreadTransport {
  const { client, budgets } = options;
  const now = options.now ?? Date.now;
  const configured = new Set<string>();

  function addressOf(thread: ThreadRef): JiraAddress {
    const address = jiraAddress(thread);
    if (address.site !== options.site) {
      throw ApplicationFailure.nonRetryable(`the thread ${thread.key} is on Jira site ${address.site}, but JIRA_BASE_URL is ${options.site}`, ErrorType.ProviderNotFound);
    }
    return address;
  }

  function budgetKeys(address: JiraAddress): string[] {
    const issueKey = `jira:issue:${address.issueKey}`;
    if (!configured.has(issueKey)) {
      budgets.configure(issueKey, JIRA_ISSUE_WRITE_WINDOWS);
      configured.add(issueKey);
    }
    return [TOKEN_KEY, issueKey];
  }

  /** Classifies once, and makes a 429 pause every later write of the token and the issue. */
  function classified(error: unknown, what: string, keys: readonly string[]): ApplicationFailure {
    const failure = classifyJiraError(error, what, now());
    if (failure.type === ErrorType.ProviderRateLimited) {
      const delay = failure.nextRetryDelay === undefined ? 60_000 : Number(failure.nextRetryDelay);
      budgets.pause(keys, now() + (Number.isFinite(delay) ? delay : 60_000));
    }
    return failure;
  }

  async function write<T>(priority: WritePriority, address: JiraAddress, what: string, request: () => Promise<T>): Promise<T | undefined> {
    const keys = budgetKeys(address);
    try {
      return await budgets.run(priority, keys, request);
    } catch (error) {
      if (error instanceof WriteBudgetExhausted) {
        throw ApplicationFailure.create({ message: `${what}: ${error.message}`, type: ErrorType.ProviderRateLimited, nextRetryDelay: error.retryAfterMs });
      }
      throw classified(error, what, keys);
    }
  }

  async function read<T>(address: JiraAddress, what: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw classified(error, what, budgetKeys(address));
    }
  }

  /** The task's comment among the issue's newest 100, by the `task <id>` marker of its footer. */
  async function findTaskComment(address: JiraAddress, taskId: string): Promise<string | undefined> {
    const page = commentPageSchema.parse(
      await read(address, 'looking for the task comment', () => client.issueComments.getComments({ issueIdOrKey: address.issueKey, orderBy: '-created', maxResults: 100 })),
    );
    const marker = taskMarkerPattern(taskId);
    return page.comments.find((comment) => comment.body !== undefined && marker.test(adfPlainText(comment.body)))?.id;
  }

  async function post(priority: WritePriority, address: JiraAddress, what: string, body: AdfDocument): Promise<string | undefined> {
    const created = await write(priority, address, what, () => client.issueComments.addComment({ issueIdOrKey: address.issueKey, comment: body }));
    return created === undefined ? undefined : commentSchema.parse(created).id;
  }

  return {
    provider: 'jira',

    async react(_thread: ThreadRef, _messageId: string, _reaction: CommandReaction): Promise<void> {
      // Jira Cloud's public REST API has no reactions on comments: the task's own comment shows that it runs.
    },

    async reply(thread: ThreadRef, text: string): Promise<void> {
      const address = addressOf(thread);
      await post('urgent', address, 'posting a reply', renderJiraReply(text));
    },

    async begin(task: TaskOnThread, begin: { mayExist: boolean; presence: TaskPresence }): Promise<{ presence: TaskPresence; context: PromptContext }> {
      const address = addressOf(task.thread);
      let issue: z.infer<typeof issueSchema>;
      try {
        issue = issueSchema.parse(await read(address, 'reading the issue', () => client.issues.getIssue({ issueIdOrKey: address.issueKey, fields: ['summary', 'description'] })));
      } catch (error) {
        // The issue is context, not the task: a refusal leaves the prompt without it; a passing failure is retried.
        if (!(error instanceof ApplicationFailure && error.nonRetryable === true)) throw error;
        return { presence: begin.presence, context: { notes: [`(The issue could not be read: ${error.message}.)`] } };
      }
      const summary = issue.fields.summary;
      const description = jiraText(issue.fields.description, { accountId: options.accountId, mention: options.mention });
      const notes: string[] = [];
      // A task started by the trigger label already has the summary and the description as its request.
      const requestHasIt = summary !== undefined && task.header.request.startsWith(summary);
      if (description !== '' && !requestHasIt) {
        const shown = description.length > MAX_DESCRIPTION ? `${description.slice(0, MAX_DESCRIPTION)}\n…(cut)` : description;
        notes.push(`The issue's description:\n\n${shown}`);
      }
      return { presence: begin.presence, context: { ...(summary === undefined ? {} : { title: summary }), notes } };
    },

    checkout(): Checkout | undefined {
      return undefined;
    },

    async show(task: TaskOnThread, presence: TaskPresence, view: TaskView, showOptions: ShowOptions): Promise<TaskPresence | undefined> {
      const address = addressOf(task.thread);
      const body = renderJiraTaskComment(task.header, view);
      // `unconfirmed`: an earlier attempt may have posted without our learning the id; once shown, that is settled.
      const { unconfirmed, ...known } = presence;
      let commentId = known.messageId;
      if (commentId === undefined && (showOptions.mayExist === true || unconfirmed === true)) commentId = await findTaskComment(address, task.header.taskId);
      if (commentId !== undefined) {
        const id = commentId;
        try {
          const updated = await write(showOptions.priority, address, 'updating the task comment', () => client.issueComments.updateComment({ issueIdOrKey: address.issueKey, id, body, notifyUsers: view.phase !== 'working' }));
          return updated === undefined ? undefined : { ...known, messageId: id };
        } catch (error) {
          // Someone deleted the task's comment: the answer gets a new one rather than being lost.
          if (!(error instanceof ApplicationFailure && error.type === ErrorType.ProviderNotFound)) throw error;
        }
      }
      const posted = await post(showOptions.priority, address, 'posting the task comment', body);
      return posted === undefined ? undefined : { ...known, messageId: posted };
    },

    async mayApprove(thread: ThreadRef, user: ThreadUser): Promise<boolean> {
      const address = addressOf(thread);
      if (user.id === undefined) return false;
      const accountId = user.id;
      // Who may edit the issue may decide its tasks: "Find users with permissions"
      // (https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-user-search/#api-rest-api-3-user-permission-search-get),
      // which needs Administer Projects on the project (or Administer Jira). Without it Jira refuses, and so do we:
      // the decision is refused on the issue and the plan keeps waiting (the API and the CLI can still decide).
      try {
        const users = usersSchema.parse(await client.userSearch.findUsersWithAllPermissions({ permissions: 'EDIT_ISSUES', issueKey: address.issueKey, accountId }));
        return users.some((found) => found.accountId === accountId);
      } catch (error) {
        const failure = classified(error, 'checking who may approve', budgetKeys(address));
        if (failure.nonRetryable === true) return false;
        throw failure;
      }
    },
  };
}
