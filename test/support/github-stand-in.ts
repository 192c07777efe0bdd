import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A comment as the stand-in stores it, in the REST API's shape (the fields Octokit callers read). */
export interface StoredComment {
  id: number;
  issue: string;
  body: string;
  html_url: string;
  created_at: string;
  updated_at: string;
  user: { login: string; type: string };
}

/** A check run in the REST API's shape: what was sent, plus every update. */
export interface StoredCheckRun {
  id: number;
  name: string;
  head_sha: string;
  status?: string;
  conclusion?: string;
  external_id?: string;
  output?: { title?: string; summary?: string; text?: string };
  actions?: { label: string; description: string; identifier: string }[];
  history: Record<string, unknown>[];
}

export interface RecordedRequest {
  method: string;
  path: string;
  body: unknown;
  authorization: string | undefined;
  /** `Date.now()` when it arrived. */
  at: number;
}

interface ScriptedFailure {
  method: string;
  pattern: RegExp;
  status: number;
  remaining: number;
  headers: Record<string, string>;
  /** Apply the request first, then fail: a post that reached GitHub but whose answer was lost. */
  afterApplying: boolean;
}

/**
 * A stand-in for the GitHub REST API on 127.0.0.1, speaking its wire format for the calls agent-bot
 * makes: issues, issue comments (list with `since` and pages, create, update), comment reactions, pull
 * requests and their changed files, check runs and collaborator permissions.
 */
export class GithubStandIn {
  readonly requests: RecordedRequest[] = [];
  readonly comments: StoredComment[] = [];
  readonly reactions: { commentId: number; content: string }[] = [];
  /** Check runs as created and last updated, with every update kept in `history`. */
  readonly checkRuns: StoredCheckRun[] = [];
  /** Repository permission of users by login; anyone else has `read`. */
  readonly permissions = new Map<string, string>();
  /** Every body a comment ever had, oldest first, by comment id: shows edits in place. */
  readonly commentHistory = new Map<number, string[]>();
  /** Branches of PRs by number; any other PR is `feature-<n>` into `main`. */
  readonly pulls = new Map<number, { base: string; head: string }>();
  /** Every write of a comment body, in order, with its time: when each answer landed. */
  readonly commentWrites: { id: number; issue: string; at: number; body: string }[] = [];
  /** Writes refused with 403 because they passed the secondary limits (see enforceSecondaryLimits). */
  readonly throttled: RecordedRequest[] = [];
  /** Title, description and author of issues and PRs by number; any other is `Issue <n>` by `octocat`. */
  readonly issues = new Map<number, { title: string; body: string; user: string; state?: string }>();
  /** The changed files of PRs by number (`pulls.listFiles` shape); any other PR changes nothing. */
  readonly pullFiles = new Map<number, { filename: string; status: string; additions: number; deletions: number; patch?: string; previous_filename?: string }[]>();
  private readonly failures: ScriptedFailure[] = [];
  private chaosOptions: { faultRate: number; random: () => number; hangOnceAfterWriteMs?: number } | undefined;
  private secondaryLimits: { limit: number; perMs: number }[] = [];
  private readonly writeTimes: number[] = [];
  private nextId = 1000;
  private server: http.Server | undefined;
  url = '';

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

  /** The next `times` matching requests answer `status`. */
  failNext(method: string, pattern: RegExp, status: number, times: number, options: { headers?: Record<string, string>; afterApplying?: boolean } = {}): void {
    this.failures.push({ method, pattern, status, remaining: times, headers: options.headers ?? {}, afterApplying: options.afterApplying ?? false });
  }

  /**
   * Random faults on writes (POST/PATCH), for `npm run chaos`: a `faultRate` share answers 502, or 429
   * with `Retry-After: 1`; and once, after `hangOnceAfterWriteMs`, a write is applied but its answer held
   * that long (longer than the client waits): a write that landed though the client saw a timeout.
   */
  chaos(options: { faultRate: number; random?: () => number; hangOnceAfterWriteMs?: number }): void {
    this.chaosOptions = { random: Math.random, ...options };
  }

  /**
   * GitHub's secondary rate limits on content-creating requests (docs.github.com/rest/using-the-rest-api/
   * rate-limits-for-the-rest-api#about-secondary-rate-limits): a write beyond any window is refused with 403,
   * `retry-after` and the documented message, and counted in `throttled`.
   */
  enforceSecondaryLimits(windows: { limit: number; perMs: number }[]): void {
    this.secondaryLimits = windows;
  }

  /** A comment written by someone (not agent-bot), as if posted on GitHub. */
  addComment(owner: string, repo: string, number: number, body: string, login = 'octocat'): StoredComment {
    const now = new Date().toISOString();
    const comment: StoredComment = {
      id: this.nextId++,
      issue: `${owner}/${repo}#${number}`,
      body,
      html_url: `https://github.com/${owner}/${repo}/issues/${number}#issuecomment-${this.nextId}`,
      created_at: now,
      updated_at: now,
      user: { login, type: 'User' },
    };
    this.comments.push(comment);
    this.commentHistory.set(comment.id, [body]);
    return comment;
  }

  commentsOn(owner: string, repo: string, number: number): StoredComment[] {
    return this.comments.filter((comment) => comment.issue === `${owner}/${repo}#${number}`);
  }

  reactionsOn(commentId: number): string[] {
    return this.reactions.filter((reaction) => reaction.commentId === commentId).map((reaction) => reaction.content);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', this.url);
    const method = req.method ?? 'GET';
    const body: unknown = text === '' ? undefined : JSON.parse(text);
    this.requests.push({ method, path: url.pathname, body, authorization: req.headers.authorization, at: Date.now() });

    const isWrite = method === 'POST' || method === 'PATCH' || method === 'PUT' || method === 'DELETE';
    if (isWrite && this.secondaryLimits.length > 0) {
      const now = Date.now();
      const over = this.secondaryLimits.find((window) => this.writeTimes.filter((at) => at > now - window.perMs).length >= window.limit);
      if (over !== undefined) {
        this.throttled.push(this.requests.at(-1)!);
        const retryAfter = Math.ceil((this.writeTimes.filter((at) => at > now - over.perMs)[0]! + over.perMs - now) / 1000);
        return this.send(res, 403, { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits' }, { 'retry-after': String(Math.max(1, retryAfter)) });
      }
      this.writeTimes.push(now);
    }
    if (isWrite && this.chaosOptions !== undefined) {
      const chaos = this.chaosOptions;
      if (chaos.hangOnceAfterWriteMs !== undefined && /\/comments$/.test(url.pathname) && method === 'POST') {
        const hangMs = chaos.hangOnceAfterWriteMs;
        delete chaos.hangOnceAfterWriteMs;
        const [status, payload] = this.route(method, url, body);
        await new Promise((resolve) => setTimeout(resolve, hangMs));
        return this.send(res, status, payload);
      }
      if (chaos.random() < chaos.faultRate) {
        return chaos.random() < 0.5
          ? this.send(res, 502, { message: 'chaos 502' })
          : this.send(res, 429, { message: 'chaos rate limit' }, { 'retry-after': '1' });
      }
    }
    const failure = this.failures.find((f) => f.remaining > 0 && f.method === method && f.pattern.test(url.pathname));
    if (failure !== undefined) failure.remaining--;
    if (failure !== undefined && !failure.afterApplying) return this.send(res, failure.status, { message: `scripted ${failure.status}` }, failure.headers);
    const [status, payload] = this.route(method, url, body);
    if (failure !== undefined) return this.send(res, failure.status, { message: `scripted ${failure.status}` }, failure.headers);
    if (method === 'GET' && Array.isArray(payload)) return this.sendPage(res, url, payload);
    this.send(res, status, payload);
  }

  /** Lists answer one page (`per_page`, default 30; `page`, default 1) with GitHub's `Link` header. */
  private sendPage(res: http.ServerResponse, url: URL, items: unknown[]): void {
    const perPage = Math.min(100, Number(url.searchParams.get('per_page') ?? 30) || 30);
    const page = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const link = (n: number, rel: string): string => {
      const next = new URL(url);
      next.searchParams.set('page', String(n));
      return `<${next.toString()}>; rel="${rel}"`;
    };
    const links = [...(page < last ? [link(page + 1, 'next'), link(last, 'last')] : []), ...(page > 1 ? [link(1, 'first'), link(page - 1, 'prev')] : [])];
    this.send(res, 200, items.slice((page - 1) * perPage, page * perPage), links.length === 0 ? {} : { link: links.join(', ') });
  }

  private route(method: string, url: URL, body: unknown): [number, unknown] {
    const path = url.pathname;
    let match = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/.exec(path);
    if (match) {
      const issue = `${match[1]}/${match[2]}#${match[3]}`;
      if (method === 'GET') {
        const since = url.searchParams.get('since');
        const list = this.comments.filter((c) => c.issue === issue && (since === null || c.updated_at >= since));
        return [200, list];
      }
      if (method === 'POST') {
        const now = new Date().toISOString();
        const comment: StoredComment = {
          id: this.nextId++,
          issue,
          body: String((body as { body?: unknown }).body),
          html_url: `https://github.com/${match[1]}/${match[2]}/issues/${match[3]}#issuecomment-${this.nextId}`,
          created_at: now,
          updated_at: now,
          user: { login: 'agent-bot', type: 'Bot' },
        };
        this.comments.push(comment);
        this.commentHistory.set(comment.id, [comment.body]);
        this.commentWrites.push({ id: comment.id, issue, at: Date.now(), body: comment.body });
        return [201, comment];
      }
    }
    match = /^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)$/.exec(path);
    if (match && method === 'GET') {
      const number = Number(match[3]);
      const pull = this.pulls.get(number) ?? { base: 'main', head: `feature-${number}` };
      return [200, { number, state: 'open', title: this.issues.get(number)?.title ?? `PR ${number}`, base: { ref: pull.base, sha: 'a'.repeat(40) }, head: { ref: pull.head, sha: 'b'.repeat(40) } }];
    }
    match = /^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)\/files$/.exec(path);
    if (match && method === 'GET') {
      const files = this.pullFiles.get(Number(match[3])) ?? [];
      return [200, files.map((file) => ({ sha: 'c'.repeat(40), changes: file.additions + file.deletions, ...file }))];
    }
    match = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)$/.exec(path);
    if (match && method === 'GET') {
      const number = Number(match[3]);
      const issue = this.issues.get(number) ?? { title: `Issue ${number}`, body: '', user: 'octocat' };
      const kind = this.pulls.has(number) ? 'pull' : 'issues';
      return [
        200,
        {
          number,
          title: issue.title,
          body: issue.body,
          state: issue.state ?? 'open',
          user: { login: issue.user, type: 'User' },
          comments: this.commentsOn(match[1]!, match[2]!, number).length,
          html_url: `https://github.com/${match[1]}/${match[2]}/${kind}/${number}`,
          ...(this.pulls.has(number) ? { pull_request: { merged_at: null } } : {}),
        },
      ];
    }
    match = /^\/repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)$/.exec(path);
    if (match && method === 'GET') {
      const comment = this.comments.find((c) => c.id === Number(match![1]));
      return comment === undefined ? [404, { message: 'Not Found' }] : [200, comment];
    }
    if (match && method === 'PATCH') {
      const comment = this.comments.find((c) => c.id === Number(match![1]));
      if (comment === undefined) return [404, { message: 'Not Found' }];
      comment.body = String((body as { body?: unknown }).body);
      comment.updated_at = new Date().toISOString();
      this.commentHistory.get(comment.id)?.push(comment.body);
      this.commentWrites.push({ id: comment.id, issue: comment.issue, at: Date.now(), body: comment.body });
      return [200, comment];
    }
    match = /^\/repos\/[^/]+\/[^/]+\/check-runs$/.exec(path);
    if (match && method === 'POST') {
      const run = { id: this.nextId++, ...(body as Record<string, unknown>), history: [] } as unknown as StoredCheckRun;
      run.history.push({ ...(body as Record<string, unknown>) });
      this.checkRuns.push(run);
      return [201, { ...run, html_url: `https://github.com/checks/${run.id}` }];
    }
    match = /^\/repos\/[^/]+\/[^/]+\/commits\/([^/]+)\/check-runs$/.exec(path);
    if (match && method === 'GET') {
      const name = url.searchParams.get('check_name');
      const runs = this.checkRuns.filter((run) => run.head_sha === match![1] && (name === null || run.name === name));
      return [200, { total_count: runs.length, check_runs: runs }];
    }
    match = /^\/repos\/[^/]+\/[^/]+\/check-runs\/(\d+)$/.exec(path);
    if (match && method === 'PATCH') {
      const run = this.checkRuns.find((r) => r.id === Number(match![1]));
      if (run === undefined) return [404, { message: 'Not Found' }];
      Object.assign(run, body as Record<string, unknown>);
      run.history.push({ ...(body as Record<string, unknown>) });
      return [200, run];
    }
    match = /^\/repos\/[^/]+\/[^/]+\/collaborators\/([^/]+)\/permission$/.exec(path);
    if (match && method === 'GET') {
      const login = decodeURIComponent(match[1]!);
      const permission = this.permissions.get(login.toLowerCase()) ?? 'read';
      return [200, { permission, role_name: permission, user: { login } }];
    }
    match = /^\/repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)\/reactions$/.exec(path);
    if (match && method === 'POST') {
      const content = String((body as { content?: unknown }).content);
      const commentId = Number(match[1]);
      const exists = this.reactions.some((r) => r.commentId === commentId && r.content === content);
      if (!exists) this.reactions.push({ commentId, content });
      return [exists ? 200 : 201, { id: commentId * 10, content, user: { login: 'agent-bot' } }];
    }
    return [404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' }];
  }

  private send(res: http.ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(payload));
  }
}
