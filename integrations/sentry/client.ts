import ky, { HTTPError, type KyInstance } from 'ky';
import { z } from 'zod';
import { SentryApiError } from './errors';

/**
 * A small typed client of Sentry's web API (https://docs.sentry.io/api/): there is no official API client for
 * Node (`@sentry/node` only sends events). Built on ky 1.x (fetch-based, small, well kept) with its retries
 * off: Temporal's retry policy is the only retry, so a failed post shows in the UI as an attempt with its
 * reason. Every answer is checked with zod (only the fields we read); an HTTP error becomes a
 * `SentryApiError` carrying Sentry's `detail` and the headers that say when to retry.
 */
export interface SentryClient {
  /** GET `organizations/{org}/issues/{issue_id}/`: https://docs.sentry.io/api/events/retrieve-an-issue/ */
  issue(issueId: string): Promise<SentryIssue>;
  /** GET `organizations/{org}/issues/{issue_id}/events/latest/`: https://docs.sentry.io/api/events/retrieve-an-issue-event/ */
  latestEvent(issueId: string): Promise<SentryEvent>;
  /**
   * GET `organizations/{org}/issues/{issue_id}/comments/`, newest first (one page). Comments ("notes") are a
   * private endpoint with no public doc: getsentry/sentry src/sentry/issues/endpoints/group_notes.py.
   */
  comments(issueId: string): Promise<SentryNote[]>;
  /** POST `organizations/{org}/issues/{issue_id}/comments/` `{text}` (group_notes.py); 400 "You have already posted that comment." for the same text within an hour. */
  createComment(issueId: string, text: string): Promise<SentryNote>;
  /** PUT `organizations/{org}/issues/{issue_id}/comments/{note_id}/` `{text}` (group_notes_details.py). */
  updateComment(issueId: string, noteId: string, text: string): Promise<SentryNote>;
}

export interface SentryClientOptions {
  /** `https://sentry.io/api/0/` */
  apiUrl: string;
  /** The internal integration's token (Issue & Event: Read & Write). */
  token: string;
  org: string;
  /** Per request (ms). */
  requestTimeoutMs?: number;
}

const issueSchema = z.object({
  id: z.string(),
  shortId: z.string().optional(),
  title: z.string(),
  culprit: z.string().nullable().optional(),
  permalink: z.string().nullable().optional(),
  project: z.object({ slug: z.string() }).optional(),
});
export type SentryIssue = z.infer<typeof issueSchema>;

const frameSchema = z.object({
  filename: z.string().nullable().optional(),
  absPath: z.string().nullable().optional(),
  module: z.string().nullable().optional(),
  function: z.string().nullable().optional(),
  lineNo: z.number().nullable().optional(),
  colNo: z.number().nullable().optional(),
  inApp: z.boolean().nullable().optional(),
  /** `[[lineNo, line], ...]` around the frame's line. */
  context: z.array(z.tuple([z.number(), z.string().nullable()])).nullable().optional(),
});
export type SentryFrame = z.infer<typeof frameSchema>;

const exceptionSchema = z.object({
  type: z.string().nullable().optional(),
  value: z.string().nullable().optional(),
  module: z.string().nullable().optional(),
  stacktrace: z.object({ frames: z.array(frameSchema).nullable().optional() }).nullable().optional(),
});
export type SentryException = z.infer<typeof exceptionSchema>;

const eventSchema = z.object({
  eventID: z.string(),
  dateCreated: z.string().optional(),
  entries: z.array(z.object({ type: z.string(), data: z.unknown() })).default([]),
});

/** The latest event of an issue: its id and its exceptions, oldest cause first, frames outermost first. */
export interface SentryEvent {
  eventId: string;
  dateCreated?: string | undefined;
  exceptions: SentryException[];
}

const noteSchema = z.object({ id: z.string(), data: z.object({ text: z.string().optional() }).optional(), dateCreated: z.string().optional() });
export type SentryNote = z.infer<typeof noteSchema>;

/** `https://sentry.io/api/0/` with a bearer token; see `SentryClient` for the endpoints. */
export function createSentryClient(options: SentryClientOptions): SentryClient {
  const api: KyInstance = ky.create({
    prefixUrl: options.apiUrl.replace(/\/*$/, '/'),
    headers: { authorization: `Bearer ${options.token}`, 'user-agent': 'agent-bot' },
    retry: 0,
    timeout: options.requestTimeoutMs ?? 30_000,
  });
  const org = encodeURIComponent(options.org);
  const issuePath = (issueId: string) => `organizations/${org}/issues/${encodeURIComponent(issueId)}/`;

  async function call<T>(what: string, schema: z.ZodType<T>, request: () => Promise<unknown>): Promise<T> {
    let body: unknown;
    try {
      body = await request();
    } catch (error) {
      if (error instanceof HTTPError) throw new SentryApiError(error.response.status, await errorDetail(error.response), error.response.headers, what);
      throw error;
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw new Error(`${what}: unexpected answer from Sentry: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ').slice(0, 300)}`);
    return parsed.data;
  }

  return {
    issue: (issueId) => call('reading the issue', issueSchema, () => api.get(issuePath(issueId)).json()),
    async latestEvent(issueId) {
      const event = await call('reading the latest event', eventSchema, () => api.get(`${issuePath(issueId)}events/latest/`).json());
      const exceptions = event.entries
        .filter((entry) => entry.type === 'exception')
        .flatMap((entry) => z.object({ values: z.array(exceptionSchema).nullable().optional() }).safeParse(entry.data).data?.values ?? []);
      return { eventId: event.eventID, dateCreated: event.dateCreated, exceptions };
    },
    comments: (issueId) => call('listing the comments', z.array(noteSchema), () => api.get(`${issuePath(issueId)}comments/`).json()),
    createComment: (issueId, text) => call('posting a comment', noteSchema, () => api.post(`${issuePath(issueId)}comments/`, { json: { text } }).json()),
    updateComment: (issueId, noteId, text) => call('editing a comment', noteSchema, () => api.put(`${issuePath(issueId)}comments/${encodeURIComponent(noteId)}/`, { json: { text } }).json()),
  };
}

/** Sentry's `{"detail": ...}`, or a 400's field errors as `field: message`, or the first line of a text body. */
async function errorDetail(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  try {
    const body: unknown = JSON.parse(text);
    if (typeof body === 'object' && body !== null) {
      const { detail } = body as { detail?: unknown };
      if (typeof detail === 'string') return detail;
      return Object.entries(body).map(([field, value]) => `${field}: ${Array.isArray(value) ? value.join(' ') : String(value)}`).join('; ').slice(0, 300);
    }
  } catch {
    // not JSON: the text itself
  }
  return text.split('\n')[0]?.slice(0, 300) ?? '';
}
