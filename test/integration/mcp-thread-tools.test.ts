import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { ProgressPublisher } from '../../activities/agent/progress-publisher';
import { taskOnThread } from '../../activities/thread-activities';
import type { ThreadRef } from '../../contracts/thread';
import { createGithubClient } from '../../integrations/github/client';
import { createGithubReader } from '../../integrations/github/reader';
import { githubThread } from '../../integrations/github/thread';
import { createGithubTransport } from '../../integrations/github/transport';

/** GitHub's write windows as the config's default sets them (GITHUB_WRITE_LIMITS). */
const GITHUB_WRITE_WINDOWS = [{ limit: 72, perMs: 60_000 }, { limit: 450, perMs: 3_600_000 }];
import { createThreadToolServer } from '../../integrations/mcp/thread-tool-server';
import type { McpCallLog, ThreadToolBinding } from '../../integrations/mcp/thread-tools/binding';
import type { ThreadTransport } from '../../integrations/transport';
import { WriteBudgets } from '../../integrations/write-budget';
import { GithubStandIn } from '../support/github-stand-in';
import { toolText as text } from '../support/mcp-results';

type Logged = { kind: 'call'; id: string; tool: string; input: unknown } | { kind: 'result'; id: string; tool: string; isError: boolean; output: string };


describe('the agent thread tools over MCP, against the GitHub stand-in', function () {
  this.timeout(20_000);
  let github: GithubStandIn;
  let transport: ThreadTransport;
  let binding: ThreadToolBinding;
  let logged: Logged[];
  let client: Client;
  const pr: ThreadRef = githubThread({ owner: 'acme', repo: 'widgets', number: 42, kind: 'pull_request' });

  const calls: McpCallLog = {
    mcpCall: (call) => logged.push({ kind: 'call', id: call.id, tool: call.tool, input: call.input }),
    mcpResult: (result) => logged.push({ kind: 'result', id: result.id, tool: result.tool, isError: result.isError, output: result.output }),
  };

  /** A real MCP client on the SDK's in-memory pair, talking to the thread tool server of `bound`. */
  async function connect(bound: ThreadToolBinding): Promise<Client> {
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await createThreadToolServer(bound).connect(serverSide);
    const connected = new Client({ name: 'test', version: '1.0.0' });
    await connected.connect(clientSide);
    return connected;
  }

  async function call(name: string, args: Record<string, unknown> = {}, on = client): Promise<CallToolResult> {
    return (await on.callTool({ name, arguments: args })) as CallToolResult;
  }

  beforeEach(async () => {
    github = await new GithubStandIn().start();
    const octokit = createGithubClient({ token: 'worker-token', apiUrl: github.url });
    const budgets = new WriteBudgets({ windows: GITHUB_WRITE_WINDOWS, urgentReserve: 0.25, maxWaitMs: 1_000 });
    transport = createGithubTransport({ client: octokit, budgets, checkRuns: false, checkRunName: 'agent-bot', checkRunEditIntervalMs: 0 });
    logged = [];
    binding = { taskId: 'gh-1', thread: pr, repo: 'acme/widgets', transport, reader: createGithubReader(octokit), calls };
    github.pulls.set(42, { base: 'main', head: 'fix-login' });
    github.issues.set(42, { title: 'Fix the login', body: 'The login form loses the password.', user: 'alice' });
    client = await connect(binding);
  });

  afterEach(async () => {
    await client.close();
    await github.stop();
  });

  it('lists five verb-noun tools, read-only ones annotated so, every input field described', async () => {
    const { tools } = await client.listTools();
    const byName = new Map(tools.map((tool) => [tool.name, tool]));
    assert.deepEqual([...byName.keys()].sort(), ['post-thread-message', 'read-pull-request-diff', 'read-stack-trace', 'read-thread', 'update-progress-note']);
    for (const name of ['read-thread', 'read-pull-request-diff', 'read-stack-trace']) assert.equal(byName.get(name)?.annotations?.readOnlyHint, true, name);
    for (const name of ['post-thread-message', 'update-progress-note']) {
      assert.equal(byName.get(name)?.annotations?.readOnlyHint, false, name);
      assert.equal(byName.get(name)?.annotations?.destructiveHint, false, name);
    }
    assert.equal(byName.get('post-thread-message')?.annotations?.idempotentHint, false);
    for (const tool of tools) {
      for (const [field, schema] of Object.entries(tool.inputSchema.properties ?? {})) {
        assert.ok(typeof (schema as { description?: unknown }).description === 'string', `${tool.name}.${field} has a description`);
      }
    }
  });

  describe('read-thread', () => {
    it('answers the PR with its latest comments, agent-bot\'s own marked and without markers', async () => {
      github.addComment('acme', 'widgets', 42, 'First, a question.', 'bob');
      github.addComment('acme', 'widgets', 42, '<!-- agent-bot:reply -->\nA reply from agent-bot.', 'agent-bot');
      github.addComment('acme', 'widgets', 42, 'Latest word.', 'carol');
      const result = await call('read-thread', { max_messages: 2 });
      assert.equal(result.isError, undefined, text(result));
      const thread = JSON.parse(text(result)) as { title: string; body: string; author: string; state: string; repository: string; total_messages: number; messages: { author: string; body: string; from_agent_bot?: boolean }[] };
      assert.equal(thread.title, 'Fix the login');
      assert.equal(thread.body, 'The login form loses the password.');
      assert.equal(thread.author, 'alice');
      assert.equal(thread.state, 'open');
      assert.equal(thread.repository, 'acme/widgets');
      assert.equal(thread.total_messages, 3);
      assert.deepEqual(thread.messages.map((m) => [m.author, m.body, m.from_agent_bot ?? false]), [['agent-bot', 'A reply from agent-bot.', true], ['carol', 'Latest word.', false]]);
    });

    it('reads the latest comments of a long thread from its last pages only', async () => {
      for (let i = 1; i <= 230; i++) github.addComment('acme', 'widgets', 42, `comment ${i}`);
      const result = await call('read-thread', { max_messages: 40 });
      const thread = JSON.parse(text(result)) as { total_messages: number; messages: { body: string }[] };
      assert.equal(thread.total_messages, 230);
      assert.deepEqual(thread.messages.map((m) => m.body), Array.from({ length: 40 }, (_, i) => `comment ${191 + i}`));
      const pages = github.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/issues/42/comments')).length;
      assert.equal(pages, 2, 'pages 2 and 3 of 100, not all three');
    });

    it('answers a GitHub refusal as an isError result naming it, and the server keeps serving', async () => {
      github.failNext('GET', /\/issues\/42$/, 404, 1);
      const failed = await call('read-thread');
      assert.equal(failed.isError, true);
      assert.match(text(failed), /reading the issue: GitHub answered HTTP 404/);
      const again = await call('read-thread');
      assert.equal(again.isError, undefined, text(again));
    });

    it('refuses another thread, and says so', async () => {
      const refused = await call('read-thread', { thread: 'acme/widgets#43' });
      assert.equal(refused.isError, true);
      assert.match(text(refused), /only read and write its own thread, acme\/widgets#42; "acme\/widgets#43" is another thread/);
      assert.equal(github.requests.length, 0, 'nothing was read');
      const own = await call('read-thread', { thread: 'acme/widgets#42' });
      assert.equal(own.isError, undefined, text(own));
    });

    it('is not available for a provider without a reader', async () => {
      const slack: ThreadRef = { provider: 'slack', key: 'T1/C2/1700000000.000100', label: '#eng thread', kind: 'Slack thread', address: {} };
      const other = await connect({ ...binding, thread: slack, reader: undefined });
      const result = await call('read-thread', {}, other);
      assert.equal(result.isError, true);
      assert.match(text(result), /^read-thread is not available for slack threads/);
      await other.close();
    });
  });

  describe('read-pull-request-diff', () => {
    beforeEach(() => {
      github.pullFiles.set(42, [
        { filename: 'src/login.ts', status: 'modified', additions: 2, deletions: 1, patch: '@@ -1,2 +1,3 @@\n-old\n+new\n+more' },
        { filename: 'src/big.ts', status: 'added', additions: 5000, deletions: 0, patch: `@@ -0,0 +1,5000 @@\n${'+x\n'.repeat(5000)}` },
        { filename: 'logo.png', status: 'added', additions: 0, deletions: 0 },
      ]);
    });

    it('lists the changed files with their patches within the character budget', async () => {
      const result = await call('read-pull-request-diff', { max_chars: 1_000 });
      assert.equal(result.isError, undefined, text(result));
      const diff = text(result);
      assert.match(diff, /^Pull request acme\/widgets#42: fix-login into main/);
      assert.match(diff, /^M src\/login\.ts \+2 -1$/m);
      assert.match(diff, /^A src\/big\.ts \+5000 -0 \[no patch shown\]$/m);
      assert.match(diff, /^diff --git a\/src\/login\.ts b\/src\/login\.ts\n@@ -1,2 \+1,3 @@\n-old\n\+new/m);
      assert.doesNotMatch(diff, /diff --git a\/src\/big\.ts/);
      assert.match(diff, /left out to stay within max_chars/);
    });

    it('reads one file by path, and says when the path is not changed', async () => {
      const one = text(await call('read-pull-request-diff', { path: 'src/big.ts', max_chars: 20_000 }));
      assert.match(one, /1 changed file\(s\)/);
      assert.match(one, /diff --git a\/src\/big\.ts/);
      const missing = await call('read-pull-request-diff', { path: 'nope.ts' });
      assert.equal(missing.isError, true);
      assert.match(text(missing), /nope\.ts is not among the 3 files/);
    });

    it('says an issue has no diff', async () => {
      const issue = await connect({ ...binding, thread: githubThread({ owner: 'acme', repo: 'widgets', number: 7, kind: 'issue' }) });
      const result = await call('read-pull-request-diff', {}, issue);
      assert.equal(result.isError, true);
      assert.match(text(result), /acme\/widgets#7 is an issue, not a pull request/);
      await issue.close();
    });
  });

  describe('post-thread-message', () => {
    it('posts a marked reply on the task\'s thread with the worker\'s token, logged as an mcp_call/mcp_result pair', async () => {
      const result = await call('post-thread-message', { text: 'Halfway there: the bug is in `login.ts`.' });
      assert.equal(result.isError, undefined, text(result));
      assert.equal(text(result), 'Posted on acme/widgets#42.');
      const [comment] = github.commentsOn('acme', 'widgets', 42);
      assert.match(comment?.body ?? '', /^<!-- agent-bot:reply -->\nHalfway there: the bug is in `login\.ts`\.$/);
      assert.equal(github.requests.find((r) => r.method === 'POST')?.authorization, 'token worker-token');
      assert.deepEqual(logged.map((entry) => [entry.kind, entry.tool]), [['call', 'post-thread-message'], ['result', 'post-thread-message']]);
      assert.equal(logged[0]?.id, logged[1]?.id);
      assert.deepEqual(logged[0]?.kind === 'call' ? logged[0].input : undefined, { text: 'Halfway there: the bug is in `login.ts`.' });
      assert.equal(logged[1]?.kind === 'result' ? logged[1].isError : undefined, false);
    });

    it('refuses to post on another thread: nothing is written, and the refusal is logged', async () => {
      for (const other of ['acme/widgets#43', 'acme/gadgets#42', 'https://github.com/acme/widgets/pull/43']) {
        const refused = await call('post-thread-message', { text: 'hello', thread: other });
        assert.equal(refused.isError, true, other);
        assert.match(text(refused), /^refused: this task may only read and write its own thread/);
      }
      assert.equal(github.comments.length, 0);
      assert.equal(github.requests.length, 0);
      assert.ok(logged.filter((entry) => entry.kind === 'result').every((entry) => entry.kind === 'result' && entry.isError));
    });

    it('answers a GitHub refusal to post as isError with GitHub\'s status', async () => {
      github.failNext('POST', /\/issues\/42\/comments$/, 403, 1);
      const failed = await call('post-thread-message', { text: 'hello' });
      assert.equal(failed.isError, true);
      assert.match(text(failed), /posting a reply: GitHub answered HTTP 403/);
      assert.equal(github.comments.length, 0);
    });

    it('refuses an empty message before anything is posted', async () => {
      const empty = await call('post-thread-message', { text: '   ' });
      assert.equal(empty.isError, true);
      assert.match(text(empty), /Input validation error/);
      assert.equal(github.comments.length, 0);
    });
  });

  describe('update-progress-note', () => {
    it('shows the note on the task\'s progress comment at once, and keeps it on later edits', async () => {
      const task = taskOnThread({ uiUrl: 'http://ui', namespace: 'default', mention: '@agent' }, { thread: pr, taskId: 'gh-1', taskWorkflowId: 'github:acme/widgets#42/task/gh-1', request: 'fix it', requester: 'alice', startedAt: new Date().toISOString() });
      const pacing = { delayMs: 60_000, intervalMs: 60_000, maxIntervalMs: 60_000, fastPeriodMs: 60_000 };
      let clock = Date.now();
      const publisher = new ProgressPublisher(transport, task, {}, pacing, () => {}, false, () => clock);
      const progress = { stage: 'running', lineCount: 3, lastLines: ['npm test'], updatedAt: new Date().toISOString() };
      const noted = await connect({ ...binding, showNote: (note) => publisher.showNote(note, progress) });
      const result = await call('update-progress-note', { note: 'running the test suite' }, noted);
      assert.equal(result.isError, undefined, text(result));
      assert.match(text(result), /now shows your note/);
      const [comment] = github.commentsOn('acme', 'widgets', 42);
      assert.match(comment?.body ?? '', /\*\*⏳ Working\*\*/);
      assert.match(comment?.body ?? '', /> 📝 running the test suite/);
      clock += 61_000;
      publisher.tick({ ...progress, lastLines: ['all tests passed'] });
      await publisher.settle();
      const edits = github.commentHistory.get(comment!.id) ?? [];
      assert.equal(edits.length, 2, 'the later tick edited the comment');
      assert.match(edits[1] ?? '', /all tests passed/);
      assert.match(edits[1] ?? '', /> 📝 running the test suite/);
      await noted.close();
    });

    it('is an isError when the run shows no progress message', async () => {
      const result = await call('update-progress-note', { note: 'x' });
      assert.equal(result.isError, true);
      assert.match(text(result), /task gh-1 has no progress message on acme\/widgets#42/);
    });
  });

  describe('read-stack-trace', () => {
    it('is not available for GitHub threads', async () => {
      const result = await call('read-stack-trace');
      assert.equal(result.isError, true);
      assert.match(text(result), /^read-stack-trace is not available for github threads: only error issues \(Sentry\) have stack traces/);
    });

    it('renders a reader\'s stack trace innermost frame last', async () => {
      const sentry: ThreadRef = { provider: 'sentry', key: 'acme/123', label: 'ACME-1', kind: 'Sentry issue', address: {} };
      const reader = {
        provider: 'sentry',
        readThread: () => Promise.reject(new Error('unused')),
        readStackTrace: () => Promise.resolve({ eventId: 'ev1', exceptions: [{ type: 'TypeError', value: 'x is undefined', frames: [{ function: 'main', filename: 'app.js', lineno: 1 }, { function: 'login', filename: 'login.js', lineno: 12, colno: 3, inApp: true, contextLine: '  x.y()' }] }] }),
      };
      const other = await connect({ ...binding, thread: sentry, reader });
      const trace = text(await call('read-stack-trace', {}, other));
      assert.equal(trace, 'Event ev1\n\nTypeError: x is undefined\n  at main (app.js:1)\n  at login (login.js:12:3) [app]\n      x.y()');
      await other.close();
    });
  });
});
