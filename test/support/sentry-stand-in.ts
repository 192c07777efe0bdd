import type http from 'node:http';
import { type Reply, type RecordedRequest, StandInServer } from './stand-in-server';
import { type Envelope, type IngestedEvent, parseEnvelope } from './sentry-envelopes';
import { type SentryIssueSeed, issueJson, latestEventJson } from './sentry-issues';

export type { SentryFrameSeed, SentryIssueSeed } from './sentry-issues';
export type { Envelope, IngestedEvent, IngestedException, IngestedFrame } from './sentry-envelopes';

export interface SentryComment {
  id: string;
  issueId: string;
  text: string;
  dateCreated: string;
  /** Every text the comment had, the first one first. */
  history: string[];
}

export interface SentryStandInOptions {
  /** The organization slug the `/organizations/{org}/` routes answer for. */
  organization?: string;
  /** The bearer token the web API accepts (an internal integration's token). */
  token?: string;
}

const NOT_FOUND = { detail: 'The requested resource does not exist' };

/**
 * A stand-in for Sentry, both sides:
 *
 * - The web API under `/api/0/` (https://docs.sentry.io/api/), as a `ky` client calls it with
 *   `Authorization: Bearer <token>`: `GET .../issues/{id}/` and `GET .../issues/{id}/events/latest/` (also
 *   `oldest`, `recommended`), both under `/api/0/organizations/{org}/` and the older `/api/0/`; and issue
 *   comments, `GET|POST .../issues/{id}/comments/` and `PUT .../issues/{id}/comments/{id}/` (private endpoints;
 *   behaviour read from getsentry/sentry src/sentry/issues/endpoints/group_notes.py and group_notes_details.py:
 *   201 with the activity on create, 400 "You have already posted that comment." for the same text within an hour).
 *   Paths end in `/` as Sentry's URL patterns require; errors are DRF's `{"detail": ...}`.
 * - The ingest endpoint `POST /api/{project id}/envelope/` that `@sentry/node` 11.12's transport posts to
 *   (DSN `http://<key>@127.0.0.1:<port>/<project id>`), storing parsed envelopes and error events.
 */
export class SentryStandIn extends StandInServer {
  readonly organization: string;
  readonly token: string;
  readonly issues = new Map<string, SentryIssueSeed>();
  readonly comments: SentryComment[] = [];
  readonly envelopes: (Envelope & { projectId: string; publicKey: string | undefined })[] = [];
  private nextCommentId = 4000;

  constructor(options: SentryStandInOptions = {}) {
    super();
    this.organization = options.organization ?? 'acme';
    this.token = options.token ?? 'sentry-internal-integration-token';
  }

  addIssue(seed: SentryIssueSeed): void {
    this.issues.set(seed.id, seed);
  }

  commentsOn(issueId: string): SentryComment[] {
    return this.comments.filter((c) => c.issueId === issueId);
  }

  /** Error events received at the ingest endpoint, oldest first. */
  get events(): IngestedEvent[] {
    return this.envelopes.flatMap((envelope) =>
      envelope.items.filter((item) => item.header.type === 'event' && typeof item.json === 'object').map((item) => ({ ...(item.json as IngestedEvent), projectId: envelope.projectId })),
    );
  }

  /** The DSN an SDK uses to send here. */
  dsn(projectId = '1', publicKey = 'publickey'): string {
    return this.url.replace('://', `://${publicKey}@`) + `/${projectId}`;
  }

  protected override parseBody(raw: Buffer, headers: http.IncomingHttpHeaders): unknown {
    // Envelopes come without a content-type; the ingest route parses them.
    if (raw.length > 0 && headers['content-type'] === undefined) return undefined;
    return super.parseBody(raw, headers);
  }

  protected override failureReply(status: number): Reply {
    if (status === 429) return { status, body: { detail: 'You are attempting to use this endpoint too frequently. Limit is 40 requests in 1 seconds' } };
    if (status >= 500) return { status, body: { detail: 'Internal Error', errorId: 'a1b2c3d4e5f60718' } };
    return { status, body: { detail: `scripted ${status}` } };
  }

  protected override route(request: RecordedRequest): Reply {
    const ingest = /^\/api\/(\d+)\/envelope\/$/.exec(request.path);
    if (ingest && request.method === 'POST') return this.ingest(ingest[1]!, request);
    if (!request.path.startsWith('/api/0/')) return { status: 404, body: NOT_FOUND };
    const bearer = /^Bearer (.+)$/.exec(request.authorization ?? '')?.[1];
    if (bearer === undefined) return { status: 401, body: { detail: 'Authentication credentials were not provided.' } };
    if (bearer !== this.token) return { status: 401, body: { detail: 'Invalid token' } };

    const match = /^\/api\/0\/(?:organizations\/([^/]+)\/)?issues\/(\d+)\/(?:(events)\/([^/]+)\/|(comments)\/(?:(\d+)\/)?)?$/.exec(request.path);
    if (!match || (match[1] !== undefined && match[1] !== this.organization)) return { status: 404, body: NOT_FOUND };
    const issue = this.issues.get(match[2]!);
    if (issue === undefined) return { status: 404, body: NOT_FOUND };
    const [, , , events, eventId, comments, commentId] = match;
    const method = request.method;
    if (events !== undefined && method === 'GET') {
      const known = ['latest', 'oldest', 'recommended', issue.eventId ?? issue.id.padStart(32, '0')];
      return known.includes(eventId!) ? { status: 200, body: latestEventJson(issue) } : { status: 404, body: NOT_FOUND };
    }
    if (comments !== undefined) return this.comment(issue.id, commentId, method, request.body);
    if (events === undefined && method === 'GET') return { status: 200, body: issueJson(issue, this.organization, this.commentsOn(issue.id).length) };
    return { status: 405, body: { detail: `Method "${method}" not allowed.` } };
  }

  private comment(issueId: string, commentId: string | undefined, method: string, body: unknown): Reply {
    const notAllowed = { status: 405, body: { detail: `Method "${method}" not allowed.` } };
    const list = commentId === undefined;
    if (list && method === 'GET') return { status: 200, body: this.commentsOn(issueId).reverse().map((c) => this.activity(c)) };
    if ((list && method !== 'POST') || (!list && method !== 'PUT')) return notAllowed;
    const comment = list ? undefined : this.comments.find((c) => c.id === commentId && c.issueId === issueId);
    if (!list && comment === undefined) return { status: 404, body: NOT_FOUND };
    const text = (body as { text?: unknown } | undefined)?.text;
    if (typeof text !== 'string' || text.trim() === '') return { status: 400, body: { text: [text === undefined ? 'This field is required.' : 'This field may not be blank.'] } };
    if (comment !== undefined) {
      comment.text = text;
      comment.history.push(text);
      return { status: 200, body: this.activity(comment) };
    }
    const hourAgo = Date.now() - 3_600_000;
    if (this.commentsOn(issueId).some((c) => c.text === text && Date.parse(c.dateCreated) >= hourAgo)) return { status: 400, body: { detail: 'You have already posted that comment.' } };
    const created: SentryComment = { id: String(this.nextCommentId++), issueId, text, dateCreated: new Date().toISOString(), history: [text] };
    this.comments.push(created);
    return { status: 201, body: this.activity(created) };
  }

  /** A note as Sentry's ActivitySerializer returns it; the author is the integration's proxy user. */
  private activity(comment: SentryComment): Record<string, unknown> {
    return {
      id: comment.id,
      user: { id: '77', name: 'agent-bot', username: 'agent-bot-proxy', email: 'agent-bot@proxy-user.sentry.io', isActive: true },
      sentry_app: null,
      type: 'note',
      data: { text: comment.text },
      dateCreated: comment.dateCreated,
    };
  }

  private ingest(projectId: string, request: RecordedRequest): Reply {
    const auth = request.headers['x-sentry-auth'];
    const publicKey = request.query.get('sentry_key') ?? (typeof auth === 'string' ? /sentry_key=([^,\s]+)/.exec(auth)?.[1] : undefined);
    let envelope: Envelope;
    try {
      envelope = parseEnvelope(request.rawBody);
    } catch {
      return { status: 400, body: { detail: 'invalid envelope' } };
    }
    request.body = envelope;
    this.envelopes.push({ ...envelope, projectId, publicKey });
    return { status: 200, body: { id: envelope.header['event_id'] ?? null } };
  }
}
