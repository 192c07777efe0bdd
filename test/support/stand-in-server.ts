import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

/** One request as a stand-in received it, with what it answered. */
export interface RecordedRequest {
  method: string;
  /** The URL path, without the query string. */
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  authorization: string | undefined;
  /** The body as sent; un-gzipped when the client sent `content-encoding: gzip`. */
  rawBody: Buffer;
  /** The body as the stand-in parsed it: JSON, a form as an object, or whatever the stand-in decodes. */
  body: unknown;
  /** `Date.now()` when the request arrived: lets a test measure how long a client waited between tries. */
  at: number;
  /** The HTTP status answered (set once the answer is sent). */
  status?: number;
}

/** An answer a stand-in sends: `body` is JSON-encoded unless it is a string or a Buffer. */
export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface FailureOptions {
  /** Extra response headers, e.g. `{ 'retry-after': '1' }`. */
  headers?: Record<string, string>;
  /** The body to answer instead of the provider's usual error body for this status. */
  body?: unknown;
  /** Apply the request first, then fail: a write that reached the provider but whose answer was lost. */
  afterApplying?: boolean;
}

interface ScriptedFailure extends FailureOptions {
  method: string;
  pattern: RegExp;
  status: number;
  remaining: number;
}

/**
 * What every provider stand-in shares: a plain `node:http` server on 127.0.0.1, every request recorded
 * in arrival order, and scripted faults (`failNext`) matched on method and path, in the style of
 * `GithubStandIn`. A subclass parses bodies its provider's way and routes requests.
 */
export abstract class StandInServer {
  readonly requests: RecordedRequest[] = [];
  url = '';
  private server: http.Server | undefined;
  private readonly failures: ScriptedFailure[] = [];

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /**
   * The next `times` requests whose method and path match answer `status` with the provider's error body
   * for it (or `options.body`), plus `options.headers`.
   */
  failNext(method: string, pattern: RegExp, status: number, times: number, options: FailureOptions = {}): void {
    this.failures.push({ ...options, method: method.toUpperCase(), pattern, status, remaining: times });
  }

  /** Recorded requests with this method whose path matches. */
  requestsTo(method: string, pattern: RegExp): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method.toUpperCase() && pattern.test(r.path));
  }

  /** Answers one request that no scripted failure intercepted. */
  protected abstract route(request: RecordedRequest): Reply | Promise<Reply>;

  /** The provider's answer for a scripted failure with this status (and the headers the test gave). */
  protected abstract failureReply(status: number, request: RecordedRequest, headers: Record<string, string>): Reply;

  /** Parses a body: JSON and form bodies by default; subclasses add their own encodings. */
  protected parseBody(raw: Buffer, headers: http.IncomingHttpHeaders): unknown {
    if (raw.length === 0) return undefined;
    const type = (headers['content-type'] ?? '').toLowerCase();
    const text = raw.toString('utf8');
    if (type.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(text));
    if (type.includes('json') || /^\s*[[{]/.test(text)) {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return text;
      }
    }
    return text;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const at = Date.now();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let rawBody = Buffer.concat(chunks);
    if ((req.headers['content-encoding'] ?? '').toLowerCase() === 'gzip' && rawBody.length > 0) rawBody = gunzipSync(rawBody);
    const url = new URL(req.url ?? '/', this.url);
    const request: RecordedRequest = {
      method: (req.method ?? 'GET').toUpperCase(),
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      authorization: req.headers.authorization,
      rawBody,
      body: undefined,
      at,
    };
    this.requests.push(request);
    let reply: Reply;
    try {
      request.body = this.parseBody(rawBody, req.headers);
      const failure = this.failures.find((f) => f.remaining > 0 && f.method === request.method && f.pattern.test(request.path));
      if (failure !== undefined) failure.remaining--;
      if (failure !== undefined && failure.afterApplying === true) await this.route(request);
      reply = failure === undefined ? await this.route(request) : this.scripted(failure, request);
    } catch (error) {
      reply = { status: 500, body: { message: `stand-in error: ${error instanceof Error ? error.message : String(error)}` } };
    }
    request.status = reply.status;
    this.send(res, reply);
  }

  private scripted(failure: ScriptedFailure, request: RecordedRequest): Reply {
    const headers = failure.headers ?? {};
    const base = this.failureReply(failure.status, request, headers);
    return { status: failure.status, body: failure.body ?? base.body, headers: { ...base.headers, ...headers } };
  }

  private send(res: http.ServerResponse, reply: Reply): void {
    const isRaw = typeof reply.body === 'string' || Buffer.isBuffer(reply.body);
    const headers: Record<string, string> = {};
    if (reply.body !== undefined) headers['content-type'] = isRaw ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8';
    Object.assign(headers, reply.headers);
    res.writeHead(reply.status, headers);
    if (reply.body === undefined) res.end();
    else res.end(isRaw ? (reply.body as string | Buffer) : JSON.stringify(reply.body));
  }
}

/** A regular expression matching exactly this literal text. */
export function literal(text: string): RegExp {
  return new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
}
