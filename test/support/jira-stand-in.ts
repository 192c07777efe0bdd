import { type Reply, type RecordedRequest, StandInServer } from './stand-in-server';
import { type AdfDocument, adfDocument, adfText, isAdfDocument } from './jira-adf';

/** The most characters Jira Cloud keeps in a text field, comments included (JRACLOUD-68949, JRASERVER-64351). */
export const JIRA_TEXT_LIMIT = 32_767;

export interface JiraComment {
  id: string;
  issueKey: string;
  body: AdfDocument;
  authorAccountId: string;
  created: string;
  updated: string;
}

export interface JiraIssue {
  id: string;
  key: string;
  summary: string;
  description: AdfDocument | null;
  labels: string[];
  projectKey: string;
  status: string;
  issueType: string;
}

export interface JiraStandInOptions {
  email?: string;
  apiToken?: string;
  accountId?: string;
  /**
   * How a comment's size is measured against 32,767: the ADF document as JSON (default, the stricter reading), or
   * the text it holds. Atlassian documents the figure, not how v3 counts an ADF body.
   */
  countCommentAs?: 'adf-json' | 'text';
  /** A 401 as JSON (`{"errorMessages": [...]}`, default) or as the plain text Jira Cloud has been seen to send. */
  unauthorizedAs?: 'json' | 'text';
}

/** Jira's error collection: https://developer.atlassian.com/cloud/jira/platform/rest/v3/intro/#status-codes */
function errorBody(errorMessages: string[], errors: Record<string, string> = {}): { errorMessages: string[]; errors: Record<string, string> } {
  return { errorMessages, errors };
}

/** Jira's timestamp format: `2024-01-17T12:34:56.789+0000`. */
function jiraTime(date = new Date()): string {
  return date.toISOString().replace('Z', '+0000');
}

/**
 * A stand-in for Jira Cloud REST API v3 (https://developer.atlassian.com/cloud/jira/platform/rest/v3/) as
 * `jira.js` 5.4's `new Version3Client({ host: standIn.url, authentication: { basic: { email, apiToken } } })` calls
 * it: Basic auth, `GET /rest/api/3/myself`, `GET /rest/api/3/issue/{idOrKey}` (with `fields` filtering),
 * `GET|POST /rest/api/3/issue/{idOrKey}/comment`, `GET|PUT /rest/api/3/issue/{idOrKey}/comment/{id}`
 * (api-group-issues, api-group-issue-comments, api-group-myself). Comment bodies must be ADF ("Comment body is
 * not valid!" otherwise) and at most 32,767 characters ("The entered text is too long..." in `errors.comment`).
 * Errors use Jira's `{"errorMessages": [...], "errors": {...}}`.
 */
export class JiraStandIn extends StandInServer {
  readonly email: string;
  readonly apiToken: string;
  readonly accountId: string;
  readonly issues = new Map<string, JiraIssue>();
  readonly comments: JiraComment[] = [];
  /** Project permissions granted, e.g. `EDIT_ISSUES` → account ids, for "Find users with permissions". */
  readonly permissions = new Map<string, Set<string>>();
  /** Every body a comment ever had, the first one first, by comment id. */
  readonly commentHistory = new Map<string, AdfDocument[]>();
  private readonly countCommentAs: 'adf-json' | 'text';
  private readonly unauthorizedAs: 'json' | 'text';
  private nextIssueId = 10_000;
  private nextCommentId = 10_100;

  constructor(options: JiraStandInOptions = {}) {
    super();
    this.email = options.email ?? 'agent@example.com';
    this.apiToken = options.apiToken ?? 'jira-api-token';
    this.accountId = options.accountId ?? '5b10ac8d82e05b22cc7d4ef5';
    this.countCommentAs = options.countCommentAs ?? 'adf-json';
    this.unauthorizedAs = options.unauthorizedAs ?? 'json';
  }

  addIssue(issue: { key: string; summary?: string; description?: string | AdfDocument; labels?: string[]; status?: string; issueType?: string }): JiraIssue {
    const stored: JiraIssue = {
      id: String(this.nextIssueId++),
      key: issue.key,
      summary: issue.summary ?? `Issue ${issue.key}`,
      description: issue.description === undefined ? null : typeof issue.description === 'string' ? adfDocument(issue.description) : issue.description,
      labels: issue.labels ?? [],
      projectKey: issue.key.split('-')[0]!,
      status: issue.status ?? 'To Do',
      issueType: issue.issueType ?? 'Task',
    };
    this.issues.set(stored.key, stored);
    return stored;
  }

  /** A comment someone else wrote (e.g. the one asking the agent for work). */
  addComment(issueKey: string, text: string, authorAccountId = '557058:f58131cb-b67d-43c7-b30d-6b58d40bd077'): JiraComment {
    return this.storeComment(issueKey, adfDocument(text), authorAccountId);
  }

  /** Gives an account a project permission (on every issue), e.g. `grant(accountId, 'EDIT_ISSUES')`. */
  grant(accountId: string, permission: string): void {
    const holders = this.permissions.get(permission) ?? new Set<string>();
    holders.add(accountId);
    this.permissions.set(permission, holders);
  }

  commentsOn(issueKey: string): JiraComment[] {
    return this.comments.filter((c) => c.issueKey === issueKey);
  }

  protected override failureReply(status: number): Reply {
    if (status === 429) return { status, body: errorBody(['Rate limit exceeded.']) };
    if (status >= 500) return { status, body: errorBody(['Internal server error']) };
    return { status, body: errorBody([`scripted ${status}`]) };
  }

  protected override route(request: RecordedRequest): Reply {
    if (!this.authorized(request.authorization)) {
      const headers = { 'www-authenticate': 'Basic realm="protected-area"', 'x-seraph-loginreason': 'AUTHENTICATED_FAILED' };
      const message = 'Client must be authenticated to access this resource.';
      return { status: 401, headers, body: this.unauthorizedAs === 'json' ? errorBody([message]) : message };
    }
    const { method, path } = request;
    if (path === '/rest/api/3/myself' && method === 'GET') {
      return { status: 200, body: { self: `${this.url}/rest/api/3/user?accountId=${this.accountId}`, accountId: this.accountId, accountType: 'atlassian', emailAddress: this.email, displayName: 'Agent Bot', active: true, timeZone: 'Etc/UTC', locale: 'en_US' } };
    }
    if (path === '/rest/api/3/user/permission/search' && method === 'GET') return this.usersWithPermissions(request.query);
    const match = /^\/rest\/api\/3\/issue\/([^/]+)(?:\/comment(?:\/([^/]+))?)?$/.exec(path);
    if (!match) return { status: 404, body: errorBody([`null for uri: ${this.url}${path}`]) };
    const issue = this.findIssue(decodeURIComponent(match[1]!));
    if (issue === undefined) return { status: 404, body: errorBody(['Issue does not exist or you do not have permission to see it.']) };
    const isComments = path.includes('/comment');
    const commentId = match[2];
    if (!isComments && method === 'GET') return { status: 200, body: this.issueJson(issue, request.query.get('fields')) };
    if (isComments && commentId === undefined && method === 'GET') return { status: 200, body: this.commentPage(issue, request.query) };
    if (isComments && commentId === undefined && method === 'POST') return this.writeComment(issue, request.body, undefined);
    if (commentId !== undefined && (method === 'GET' || method === 'PUT')) {
      const comment = this.comments.find((c) => c.id === commentId && c.issueKey === issue.key);
      if (comment === undefined) return { status: 404, body: errorBody([`Can not find a comment for the id: ${commentId}.`]) };
      return method === 'GET' ? { status: 200, body: this.commentJson(comment) } : this.writeComment(issue, request.body, comment);
    }
    return { status: 405, body: errorBody([`Method ${method} not allowed here`]) };
  }

  /**
   * `GET /rest/api/3/user/permission/search` (api-group-user-search): the users holding every permission listed, on
   * the issue or project named, narrowed to `accountId`. Jira asks the caller for Administer Projects on the project:
   * the stand-in lets agent-bot's account ask only when it holds `ADMINISTER_PROJECTS`, and answers 403 otherwise.
   */
  private usersWithPermissions(query: URLSearchParams): Reply {
    if (!this.permissions.get('ADMINISTER_PROJECTS')?.has(this.accountId)) return { status: 403, body: errorBody(['You do not have the permission to see the specified project.']) };
    const issueKey = query.get('issueKey');
    if (issueKey !== null && this.findIssue(issueKey) === undefined) return { status: 404, body: errorBody([`Issue '${issueKey}' not found.`]) };
    const wanted = (query.get('permissions') ?? '').split(',').map((p) => p.trim()).filter((p) => p !== '');
    if (wanted.length === 0) return { status: 400, body: errorBody(['The permissions parameter is required.']) };
    const accountId = query.get('accountId');
    const holders = [...new Set([...this.permissions.values()].flatMap((set) => [...set]))].filter((id) => wanted.every((p) => this.permissions.get(p)?.has(id) === true));
    return { status: 200, body: holders.filter((id) => accountId === null || id === accountId).map((id) => this.user(id)) };
  }

  private authorized(header: string | undefined): boolean {
    const encoded = /^Basic (.+)$/.exec(header ?? '')?.[1];
    return encoded !== undefined && Buffer.from(encoded, 'base64').toString('utf8') === `${this.email}:${this.apiToken}`;
  }

  private findIssue(idOrKey: string): JiraIssue | undefined {
    return this.issues.get(idOrKey.toUpperCase()) ?? [...this.issues.values()].find((i) => i.id === idOrKey);
  }

  private writeComment(issue: JiraIssue, body: unknown, existing: JiraComment | undefined): Reply {
    const document = (body as { body?: unknown } | undefined)?.body;
    if (!isAdfDocument(document)) return { status: 400, body: errorBody([], { comment: 'Comment body is not valid!' }) };
    const size = this.countCommentAs === 'text' ? adfText(document).length : JSON.stringify(document).length;
    if (size > JIRA_TEXT_LIMIT) return { status: 400, body: errorBody([], { comment: 'The entered text is too long. It exceeds the allowed limit of 32,767 characters.' }) };
    if (existing === undefined) return { status: 201, body: this.commentJson(this.storeComment(issue.key, document, this.accountId)) };
    existing.body = document;
    existing.updated = jiraTime();
    this.commentHistory.get(existing.id)!.push(document);
    return { status: 200, body: this.commentJson(existing) };
  }

  private storeComment(issueKey: string, body: AdfDocument, authorAccountId: string): JiraComment {
    const now = jiraTime();
    const comment: JiraComment = { id: String(this.nextCommentId++), issueKey, body, authorAccountId, created: now, updated: now };
    this.comments.push(comment);
    this.commentHistory.set(comment.id, [body]);
    return comment;
  }

  private user(accountId: string): Record<string, unknown> {
    return { self: `${this.url}/rest/api/3/user?accountId=${accountId}`, accountId, displayName: accountId === this.accountId ? 'Agent Bot' : 'Jira User', active: true, timeZone: 'Etc/UTC', accountType: 'atlassian' };
  }

  private commentJson(comment: JiraComment): Record<string, unknown> {
    const issue = this.issues.get(comment.issueKey)!;
    return {
      self: `${this.url}/rest/api/3/issue/${issue.id}/comment/${comment.id}`,
      id: comment.id,
      author: this.user(comment.authorAccountId),
      body: comment.body,
      updateAuthor: this.user(comment.authorAccountId),
      created: comment.created,
      updated: comment.updated,
      jsdPublic: true,
    };
  }

  private commentPage(issue: JiraIssue, query: URLSearchParams): Record<string, unknown> {
    const all = this.commentsOn(issue.key);
    if (query.get('orderBy') === '-created') all.reverse();
    const startAt = Math.max(Number(query.get('startAt') ?? 0) || 0, 0);
    const maxResults = Math.min(Math.max(Number(query.get('maxResults') ?? 100) || 100, 1), 100);
    return { startAt, maxResults, total: all.length, comments: all.slice(startAt, startAt + maxResults).map((c) => this.commentJson(c)) };
  }

  private issueJson(issue: JiraIssue, fieldsParam: string | null): Record<string, unknown> {
    const fields: Record<string, unknown> = {
      summary: issue.summary,
      description: issue.description,
      labels: issue.labels,
      project: { self: `${this.url}/rest/api/3/project/${issue.projectKey}`, id: '10000', key: issue.projectKey, name: `Project ${issue.projectKey}`, projectTypeKey: 'software' },
      status: { self: `${this.url}/rest/api/3/status/10000`, name: issue.status, id: '10000', statusCategory: { id: 2, key: 'new', colorName: 'blue-gray', name: 'To Do' } },
      issuetype: { id: '10001', name: issue.issueType, subtask: false },
      created: jiraTime(),
      updated: jiraTime(),
    };
    const wanted = (fieldsParam ?? '*all').split(',').map((f) => f.trim());
    const chosen = wanted.includes('*all') || wanted.includes('*navigable') ? fields : Object.fromEntries(Object.entries(fields).filter(([name]) => wanted.includes(name)));
    return { expand: 'renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations', id: issue.id, self: `${this.url}/rest/api/3/issue/${issue.id}`, key: issue.key, fields: chosen };
  }
}
