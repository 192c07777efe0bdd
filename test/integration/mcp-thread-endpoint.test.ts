import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { openRunMcp, type RunMcp } from '../../activities/agent/agent-mcp';
import { TaskLog } from '../../activities/agent/task-log';
import { createGithubClient } from '../../integrations/github/client';
import { createGithubReader } from '../../integrations/github/reader';
import { githubThread } from '../../integrations/github/thread';
import { createGithubTransport } from '../../integrations/github/transport';

/** GitHub's write windows as the config's default sets them (GITHUB_WRITE_LIMITS). */
const GITHUB_WRITE_WINDOWS = [{ limit: 72, perMs: 60_000 }, { limit: 450, perMs: 3_600_000 }];
import { ThreadToolEndpoint } from '../../integrations/mcp/thread-endpoint';
import { ThreadReaders } from '../../integrations/thread-reader';
import { WriteBudgets } from '../../integrations/write-budget';
import { GithubStandIn } from '../support/github-stand-in';
import { toolText as text } from '../support/mcp-results';


/**
 * The whole path an agent's call takes, but the CLI: the stdio front started exactly as the run's MCP
 * config says, relaying to the worker's loopback endpoint, whose tools write with the worker's client.
 */
describe('the thread server: stdio front, worker endpoint and grant', function () {
  this.timeout(30_000);
  let github: GithubStandIn;
  let endpoint: ThreadToolEndpoint;
  let dataDir: string;
  let taskLog: TaskLog;
  let run: RunMcp;
  let client: Client | undefined;

  beforeEach(async () => {
    github = await new GithubStandIn().start();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-bot-mcp-'));
    const octokit = createGithubClient({ token: 'worker-token', apiUrl: github.url });
    const transport = createGithubTransport({ client: octokit, budgets: new WriteBudgets({ windows: GITHUB_WRITE_WINDOWS, urgentReserve: 0.25, maxWaitMs: 1_000 }), checkRuns: false, checkRunName: 'agent-bot', checkRunEditIntervalMs: 0 });
    endpoint = new ThreadToolEndpoint();
    taskLog = new TaskLog(path.join(dataDir, 'logs', 'tasks', 'gh-1', 'stream.jsonl'), 'gh-1');
    const thread = githubThread({ owner: 'acme', repo: 'widgets', number: 42, kind: 'pull_request' });
    run = await openRunMcp({
      dataDir,
      taskId: 'gh-1',
      userServers: { docs: { command: 'docs-mcp', args: ['--stdio'], env: { DOCS_KEY: 'k' } } },
      thread: { deps: { endpoint, readers: new ThreadReaders([createGithubReader(octokit)]) }, binding: { taskId: 'gh-1', thread, transport, reader: createGithubReader(octokit), calls: taskLog } },
    });
  });

  afterEach(async () => {
    await client?.close();
    client = undefined;
    await run.close();
    await taskLog.close();
    await endpoint.close();
    await github.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** Starts agent-bot's server as the CLI would, from the run's `mcp.json`. */
  async function connectAsTheCli(): Promise<Client> {
    const config = JSON.parse(fs.readFileSync(run.runner!.configFile, 'utf8')) as { mcpServers: Record<string, { command: string; args: string[]; env: Record<string, string> }> };
    const server = config.mcpServers['agent-bot']!;
    // The CLI's environment holds no provider token, and neither does the server's.
    const transport = new StdioClientTransport({ command: server.command, args: server.args, env: { PATH: process.env.PATH ?? '', ...server.env }, stderr: 'pipe' });
    const connected = new Client({ name: 'cli', version: '1.0.0' });
    await connected.connect(transport);
    client = connected;
    return connected;
  }

  it('writes the CLI config and the grant outside the workspace, 0600, with no provider token', () => {
    const runner = run.runner!;
    assert.deepEqual(Object.keys(runner.servers).sort(), ['agent-bot', 'docs']);
    assert.deepEqual(runner.allowedTools, ['mcp__agent-bot']);
    const dir = path.join(dataDir, 'logs', 'tasks', 'gh-1');
    assert.equal(runner.configFile, path.join(dir, 'mcp.json'));
    for (const file of ['mcp.json', 'mcp-grant.json']) {
      assert.equal(fs.statSync(path.join(dir, file)).mode & 0o777, 0o600, file);
      assert.doesNotMatch(fs.readFileSync(path.join(dir, file), 'utf8'), /worker-token/, file);
    }
    const config = JSON.parse(fs.readFileSync(runner.configFile, 'utf8')) as { mcpServers: Record<string, Record<string, unknown>> };
    assert.deepEqual(config.mcpServers['docs'], { type: 'stdio', command: 'docs-mcp', args: ['--stdio'], env: { DOCS_KEY: 'k' } });
    const ours = config.mcpServers['agent-bot'] as { command: string; args: string[]; env: Record<string, string> };
    assert.equal(ours.command, process.execPath);
    assert.deepEqual(ours.env, {}, 'the token is not in the server environment');
    assert.deepEqual(ours.args.slice(-2), ['--grant', path.join(dir, 'mcp-grant.json')]);
  });

  it('posts through the stdio front with the worker\'s token, and logs the call in stream.jsonl', async () => {
    const cli = await connectAsTheCli();
    const { tools } = await cli.listTools();
    assert.ok(tools.some((tool) => tool.name === 'post-thread-message'));
    const result = (await cli.callTool({ name: 'post-thread-message', arguments: { text: 'Found it: a typo.' } })) as CallToolResult;
    assert.equal(result.isError, undefined, text(result));
    const [comment] = github.commentsOn('acme', 'widgets', 42);
    assert.match(comment?.body ?? '', /Found it: a typo\.$/);
    assert.equal(github.requests.at(-1)?.authorization, 'token worker-token');
    const refused = (await cli.callTool({ name: 'post-thread-message', arguments: { text: 'x', thread: 'acme/widgets#1' } })) as CallToolResult;
    assert.equal(refused.isError, true);
    assert.equal(github.comments.length, 1);

    await taskLog.close();
    const records = fs.readFileSync(taskLog.file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const mcp = records.filter((record) => String(record['event_type']).startsWith('mcp_'));
    assert.deepEqual(mcp.map((record) => [record['event_type'], record['tool'], record['is_error']]), [
      ['mcp_call', 'post-thread-message', undefined],
      ['mcp_result', 'post-thread-message', false],
      ['mcp_call', 'post-thread-message', undefined],
      ['mcp_result', 'post-thread-message', true],
    ]);
    assert.equal(mcp[0]?.['id'], mcp[1]?.['id']);
    assert.deepEqual(mcp[0]?.['input'], { text: 'Found it: a typo.' });
    assert.equal(mcp[0]?.['task_id'], 'gh-1');
  });

  it('refuses every call once the run ends, as an isError answer, without the front failing', async () => {
    const cli = await connectAsTheCli();
    await run.close();
    assert.equal(endpoint.activeGrants, 0);
    assert.equal(fs.existsSync(path.join(dataDir, 'logs', 'tasks', 'gh-1', 'mcp-grant.json')), false, 'the grant file is removed');
    for (let i = 0; i < 2; i++) {
      const result = (await cli.callTool({ name: 'post-thread-message', arguments: { text: 'too late' } })) as CallToolResult;
      assert.equal(result.isError, true);
      assert.equal(text(result), "agent-bot refused the call: this task's run has ended");
    }
    await assert.rejects(cli.listTools(), /this task's run has ended/);
    assert.equal(github.comments.length, 0);
  });

  it('answers 401 to a wrong token and 405 to anything but POST', async () => {
    const grant = JSON.parse(fs.readFileSync(path.join(dataDir, 'logs', 'tasks', 'gh-1', 'mcp-grant.json'), 'utf8')) as { url: string; token: string };
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    assert.equal((await fetch(grant.url, { method: 'POST', headers, body })).status, 401);
    assert.equal((await fetch(grant.url, { method: 'POST', headers: { ...headers, authorization: 'Bearer wrong-token-of-some-length' }, body })).status, 401);
    assert.equal((await fetch(grant.url, { headers: { authorization: `Bearer ${grant.token}` } })).status, 405);
    const listed = await fetch(grant.url, { method: 'POST', headers: { ...headers, authorization: `Bearer ${grant.token}` }, body });
    assert.equal(listed.status, 200);
    assert.ok(((await listed.json()) as { result: { tools: unknown[] } }).result.tools.length === 5);
  });
});
