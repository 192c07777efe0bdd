import { z } from 'zod';
import { REPOSITORY_PATTERN } from '../../config/repo-mapping';
import type { Command } from '../../contracts/task';
import { messageKey, taskIdFor, type ThreadRef } from '../../contracts/thread';
import { parseThreadCommand, type CommandPolicy } from '../thread-command';
import { API_THREAD_ID, apiRequestIdentity, apiThread, newApiThreadId } from './thread';

/** Longest request text accepted: a prompt, not a document. */
export const MAX_REQUEST_CHARS = 20_000;

/**
 * The body of `POST /api/tasks`. Unknown fields are refused: a misspelt `callback_url` must not be
 * silently dropped.
 */
export const createTaskBody = z.strictObject({
  repo: z.string().regex(REPOSITORY_PATTERN, 'expected owner/repo, e.g. acme/widgets'),
  // A NUL cannot reach a process's arguments: refused here with a reason rather than failing the run.
  request: z.string().trim().min(1, 'must not be empty').max(MAX_REQUEST_CHARS).refine((text) => !text.includes('\u0000'), 'must not contain NUL characters'),
  thread: z.string().regex(API_THREAD_ID, 'expected a thread id (letters, digits and dashes, at most 64)').optional(),
  // Not z.httpUrl(): it wants a domain name, and a receiver on an internal host or an IP is common.
  callback_url: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).max(2_000).optional(),
  /** Idempotency key in the body, for clients that cannot set the `Idempotency-Key` header. */
  request_id: z.string().min(1).max(200).optional(),
  /** Who asked, as shown in the task and its history; `api` when absent. */
  requester: z.string().trim().min(1).max(100).refine((text) => ![...text].some((char) => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f), 'must not contain control characters').optional(),
});
export type CreateTaskBody = z.infer<typeof createTaskBody>;

/** What `POST /api/tasks` asks of us: a command for an API thread, or a 400 with its reason. */
export type ApiRequestRoute =
  | { kind: 'command'; thread: ThreadRef; command: Command; continues: boolean }
  | { kind: 'invalid'; message: string };

/**
 * Reads a `POST /api/tasks` body: pure, so every rule is tested without a server. The request text is
 * read as on any thread (a configured command such as `fix` plans first and waits for approval), but
 * only requests that run: thread controls (`status`, `cancel`, `approve`, ...) have routes of their own,
 * and a deferred request (`in 2h ...`) would answer with a task that does not exist for hours.
 */
export function routeApiRequest(body: unknown, idempotencyHeader: string | undefined, policy: CommandPolicy, now: Date = new Date()): ApiRequestRoute {
  const parsed = createTaskBody.safeParse(body);
  if (!parsed.success) return { kind: 'invalid', message: describeIssues(parsed.error) };
  const data = parsed.data;
  const headerKey = idempotencyHeader?.trim() || undefined;
  if (headerKey !== undefined && headerKey.length > 200) return { kind: 'invalid', message: 'Idempotency-Key: at most 200 characters' };
  if (headerKey !== undefined && data.request_id !== undefined && headerKey !== data.request_id) {
    return { kind: 'invalid', message: 'request_id: differs from the Idempotency-Key header; send one or the same in both' };
  }
  const idempotencyKey = headerKey ?? data.request_id;

  const words = parseThreadCommand(data.request, policy, now);
  if (words.action !== 'run') {
    const control = words.action === 'defer' ? 'a deferred request' : words.action === 'unknown' || words.action === 'help' ? 'not a request agent-bot runs' : `the thread command \`${words.action}\``;
    return { kind: 'invalid', message: `request: ${control}; send a request to run (the API has routes for status, cancel, approve and reject)` };
  }
  const threadId = data.thread ?? newApiThreadId(idempotencyKey);
  const taskId = taskIdFor('api', apiRequestIdentity(threadId, idempotencyKey));
  const thread = apiThread(threadId, data.repo, data.callback_url);
  // The body names the repository; a `repo:` word in the text cannot point the task elsewhere.
  const command = { ...words };
  delete command.repo;
  return {
    kind: 'command',
    thread,
    continues: data.thread !== undefined,
    command: {
      ...command,
      taskId,
      // The task id already stands for the request (and its idempotency key): every retry carries the same.
      deliveryId: `api:${taskId}`,
      messageKey: messageKey('api', `request:${taskId}`),
      requester: data.requester ?? 'api',
      url: '',
      repo: data.repo,
      receivedAt: now.toISOString(),
    },
  };
}

/** `field: message; ...`, for a 400 that names the wrong field. */
function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      if (issue.code === 'unrecognized_keys') return `${issue.keys.join(', ')}: unknown field${issue.keys.length > 1 ? 's' : ''}`;
      if (issue.code === 'invalid_type' && issue.path.length === 0) return '(body): expected a JSON object';
      return `${issue.path.join('.') || '(body)'}: ${issue.message}`;
    })
    .join('; ');
}
