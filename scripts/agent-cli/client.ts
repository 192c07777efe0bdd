import ky, { HTTPError, TimeoutError, type KyInstance, type Options } from 'ky';
import { z } from 'zod';

/** Exit codes of `npm run agent`, documented in the README. */
export const EXIT = {
  /** The task succeeded (or the command did what it was asked). */
  ok: 0,
  /** The task failed, was cancelled, rejected or expired; or the API said no (no such task, nothing waits). */
  failed: 1,
  /** Bad arguments, a request the API refused as invalid (400), or AGENT_BOT_API_TOKEN unset. */
  usage: 2,
  /** The API cannot be reached, refused the token (401), or failed (5xx after retries). */
  unreachable: 3,
} as const;

/** Ends the CLI with `code` after `message` (on stderr); thrown anywhere, caught once in main. */
export class CliExit extends Error {
  override name = 'CliExit';
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

const progressSchema = z.object({
  stage: z.string(),
  lineCount: z.number().optional(),
  lastLines: z.array(z.string()).default([]),
  costUsd: z.number().optional(),
});
export type LiveProgress = z.infer<typeof progressSchema>;

const outcomeSchema = z.enum(['succeeded', 'failed', 'cancelled', 'rejected', 'expired']);
export type Outcome = z.infer<typeof outcomeSchema>;

/** The task's own `taskStatus` query, as the API passes it on; fields the CLI does not read pass through. */
const taskStatusSchema = z.looseObject({
  phase: z.string(),
  stage: z.string(),
  needsApproval: z.boolean().optional(),
  approvalDeadline: z.string().optional(),
  plan: z.string().optional(),
  answer: z.string().optional(),
  answerTruncated: z.boolean().optional(),
  outcome: outcomeSchema.optional(),
  durationMs: z.number().optional(),
  usage: z.looseObject({ costUsd: z.number().optional(), inputTokens: z.number().optional(), outputTokens: z.number().optional() }).optional(),
  progress: progressSchema.optional(),
});

/** `GET /api/tasks/<id>`. */
export const taskSchema = z.looseObject({
  task_id: z.string(),
  workflow_id: z.string(),
  target: z.string().optional(),
  provider: z.string().optional(),
  workflow_status: z.string(),
  started_at: z.string(),
  closed_at: z.string().optional(),
  outcome: outcomeSchema.optional(),
  answer: z.string().optional(),
  progress: progressSchema.optional(),
  status: taskStatusSchema.optional(),
});
export type TaskAnswer = z.infer<typeof taskSchema>;

/** `POST /api/tasks`. */
const acceptedSchema = z.object({ task_id: z.string(), workflow_id: z.string(), thread: z.string() });
export type Accepted = z.infer<typeof acceptedSchema>;

const decisionSchema = z.object({ task_id: z.string(), decision: z.string(), by: z.string() });
const errorSchema = z.object({ error: z.string() });

export interface ApiClientOptions {
  /** AGENT_BOT_URL, e.g. `http://localhost:8080`. */
  url: string;
  /** AGENT_BOT_API_TOKEN. */
  token: string;
  /** Per request (ms), retries excluded. */
  timeoutMs?: number;
}

export interface NewTask {
  repo: string;
  request: string;
  thread?: string;
  callbackUrl?: string;
  requester?: string;
  /** Sent as `Idempotency-Key`: a retried POST is the same task. */
  idempotencyKey: string;
}

/**
 * The agent-bot HTTP API as the CLI uses it, every answer checked with zod. ky retries what is safe to
 * retry: GETs, and the task POST (it carries an idempotency key); never a decision or a cancel, whose
 * second try would answer 409 after the first one counted.
 */
export class ApiClient {
  private readonly http: KyInstance;

  constructor(private readonly options: ApiClientOptions) {
    this.http = ky.create({
      prefixUrl: options.url.replace(/\/+$/, ''),
      headers: { authorization: `Bearer ${options.token}`, 'user-agent': 'agent-bot-cli' },
      timeout: options.timeoutMs ?? 30_000,
      retry: { limit: 3, methods: ['get'], statusCodes: [408, 429, 500, 502, 503, 504], backoffLimit: 3_000 },
    });
  }

  /** @throws CliExit (see `failure`). */
  async createTask(task: NewTask): Promise<Accepted> {
    const json = {
      repo: task.repo,
      request: task.request,
      ...(task.thread === undefined ? {} : { thread: task.thread }),
      ...(task.callbackUrl === undefined ? {} : { callback_url: task.callbackUrl }),
      ...(task.requester === undefined ? {} : { requester: task.requester }),
    };
    return this.call(acceptedSchema, 'api/tasks', { method: 'post', json, headers: { 'idempotency-key': task.idempotencyKey }, retry: { limit: 3, methods: ['post'], statusCodes: [408, 429, 500, 502, 503, 504] } });
  }

  /** The task, or `undefined` while it does not exist yet (queued behind another task of its thread). */
  async task(taskId: string): Promise<TaskAnswer | undefined> {
    try {
      return await this.call(taskSchema, `api/tasks/${encodeURIComponent(taskId)}`, { method: 'get' }, { passNotFound: true });
    } catch (error) {
      if (error instanceof NotFound) return undefined;
      throw error;
    }
  }

  async decide(taskId: string, decision: 'approve' | 'reject', body: { by?: string; reason?: string }) {
    return this.call(decisionSchema, `api/tasks/${encodeURIComponent(taskId)}/${decision}`, { method: 'post', json: body, retry: 0 });
  }

  async cancel(taskId: string): Promise<void> {
    await this.call(z.unknown(), `api/tasks/${encodeURIComponent(taskId)}/cancel`, { method: 'post', retry: 0 });
  }

  /**
   * The task's log as Server-Sent Events: each `data:` line (one JSON record of stream.jsonl) goes to
   * `onLine`, until the server's `end` event. `follow: false` ends after what the log holds now.
   */
  async streamLog(taskId: string, follow: boolean, onLine: (line: string) => void): Promise<void> {
    const response = await this.request(`api/tasks/${encodeURIComponent(taskId)}/stream${follow ? '' : '?follow=false'}`, { method: 'get', timeout: false });
    if (response.body === null) return;
    const decoder = new TextDecoder();
    let buffered = '';
    for await (const chunk of response.body) {
      buffered += decoder.decode(chunk as Uint8Array, { stream: true });
      let end: number;
      while ((end = buffered.indexOf('\n\n')) >= 0) {
        const event = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        const lines = event.split('\n');
        if (lines.includes('event: end')) return;
        for (const line of lines) if (line.startsWith('data: ')) onLine(line.slice(6));
      }
    }
  }

  private async call<T extends z.ZodType>(schema: T, path: string, options: Options, flags: { passNotFound?: boolean } = {}): Promise<z.infer<T>> {
    const response = await this.request(path, options, flags);
    const text = await response.text();
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      throw new CliExit(EXIT.unreachable, `${this.options.url} answered ${response.status} with something that is not JSON: is it agent-bot?`);
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw new CliExit(EXIT.unreachable, `unexpected answer from ${path}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    return parsed.data;
  }

  private async request(path: string, options: Options, flags: { passNotFound?: boolean } = {}): Promise<Response> {
    try {
      return await this.http(path, options);
    } catch (error) {
      throw await this.failure(error, flags);
    }
  }

  /** What a failed call means for the CLI: its exit code and message. */
  private async failure(error: unknown, flags: { passNotFound?: boolean }): Promise<Error> {
    if (error instanceof HTTPError) {
      const { status } = error.response;
      const text = await error.response.text().catch(() => '');
      let message = text;
      try {
        const parsed = errorSchema.safeParse(JSON.parse(text));
        if (parsed.success) message = parsed.data.error;
      } catch {
        // not JSON: keep the text
      }
      if (status === 404 && flags.passNotFound === true) return new NotFound();
      if (status === 401) return new CliExit(EXIT.unreachable, `agent-bot at ${this.options.url} refused the token (401): check AGENT_BOT_API_TOKEN`);
      if (status === 400 || status === 413) return new CliExit(EXIT.usage, `the API refused the request: ${message}`);
      if (status >= 500) return new CliExit(EXIT.unreachable, `agent-bot at ${this.options.url} failed (HTTP ${status}): ${message}`);
      return new CliExit(EXIT.failed, message || `HTTP ${status}`);
    }
    if (error instanceof TimeoutError) return new CliExit(EXIT.unreachable, `agent-bot at ${this.options.url} did not answer in time`);
    const cause = error instanceof Error && error.cause instanceof Error ? ` (${(error.cause as NodeJS.ErrnoException).code ?? error.cause.message})` : '';
    return new CliExit(EXIT.unreachable, `cannot reach agent-bot at ${this.options.url}: ${error instanceof Error ? error.message : String(error)}${cause}`);
  }
}

class NotFound extends Error {
  override name = 'NotFound';
}
