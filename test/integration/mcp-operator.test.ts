import assert from 'node:assert/strict';
import path from 'node:path';
import { Client as McpClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { taskStatusQuery } from '../../contracts/messages';
import { createApiTaskStarter } from '../../gateway/api/start-task';
import { createTemporalDispatcher } from '../../gateway/dispatcher';
import { createOperatorServer } from '../../integrations/mcp/operator-server';
import { commandPolicy } from '../../workers/gateway-routers';
import { Harness } from '../support/harness';
import { toolText as text } from '../support/mcp-results';
import { testTemporal } from '../support/temporal';
import { waitFor } from '../support/wait';

const TOKEN = 'test-api-token';


async function call(client: McpClient, name: string, args: Record<string, unknown> = {}): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}

function json<T>(result: CallToolResult): T {
  assert.notEqual(result.isError, true, text(result));
  return JSON.parse(text(result)) as T;
}

interface Listed {
  tasks: { task_id: string; status: string; target: string; provider: string }[];
}

describe('the operator MCP server', function () {
  this.timeout(120_000);
  let h: Harness;

  before(async () => {
    h = await Harness.start({ agent: 'planner.js', env: { AGENT_BOT_API_TOKEN: TOKEN, AGENT_PROMPT_TEMPLATE: '{request}' } });
  });
  after(async () => {
    await h.stop();
  });

  /** A `fix` task (it needs approval) whose plan waits on PR `number`. */
  async function waitingTask(number: number): Promise<string> {
    const response = await h.comment('@agent fix the login', { number });
    const taskId = String(response.body['task_id']);
    await waitFor('the plan to wait', async () => (await testTemporal().client.workflow.getHandle(h.taskId(taskId, number)).query(taskStatusQuery)).phase === 'awaiting_approval');
    return taskId;
  }

  describe('through a real client on the in-memory transport', () => {
    let client: McpClient;
    beforeEach(async () => {
      const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
      const { client: temporal } = testTemporal();
      const startTask = createApiTaskStarter(temporal, createTemporalDispatcher(temporal, h.taskQueue), commandPolicy(h.config));
      await createOperatorServer({ client: temporal, dataDir: h.dataDir, startTask }).connect(serverSide);
      client = new McpClient({ name: 'test', version: '1.0.0' });
      await client.connect(clientSide);
    });
    afterEach(async () => {
      await client.close();
    });

    it('lists six verb-noun tools, annotated, every input described', async () => {
      const { tools } = await client.listTools();
      const byName = new Map(tools.map((tool) => [tool.name, tool.annotations]));
      assert.deepEqual([...byName.keys()].sort(), ['approve-task', 'cancel-task', 'get-task', 'list-tasks', 'reject-task', 'start-task']);
      assert.equal(byName.get('list-tasks')?.readOnlyHint, true);
      assert.equal(byName.get('get-task')?.readOnlyHint, true);
      assert.equal(byName.get('cancel-task')?.destructiveHint, true);
      assert.equal(byName.get('reject-task')?.destructiveHint, true);
      assert.equal(byName.get('approve-task')?.destructiveHint, false);
      for (const tool of tools) {
        for (const [field, schema] of Object.entries(tool.inputSchema.properties ?? {})) {
          assert.ok(typeof (schema as { description?: unknown }).description === 'string', `${tool.name}.${field} has a description`);
        }
      }
    });

    it('lists a waiting task by thread and status, shows its status and log tail, and approves it once', async () => {
      const taskId = await waitingTask(500);
      const thread = `acme/${h.repo}#500`;
      const listed = await waitFor('the task in the list', async () => {
        const result = json<Listed>(await call(client, 'list-tasks', { thread, status: 'awaiting_approval' }));
        return result.tasks.length > 0 ? result.tasks : undefined;
      });
      assert.deepEqual(listed.map((task) => [task.task_id, task.provider, task.target]), [[taskId, 'github', thread]]);

      const described = json<{ workflow_id: string; status: { phase: string; needsApproval: boolean }; log_tail: { event_type: string }[] }>(await call(client, 'get-task', { task_id: taskId, log_lines: 5 }));
      assert.equal(described.workflow_id, h.taskId(taskId, 500));
      assert.equal(described.status.phase, 'awaiting_approval');
      assert.ok(described.log_tail.length > 0 && described.log_tail.length <= 5);
      assert.equal(described.log_tail.at(-1)?.event_type, 'completion', 'the planning pass ended the log so far');

      const approved = json<{ decision: string; by: string }>(await call(client, 'approve-task', { task_id: taskId, by: 'ops' }));
      assert.deepEqual(approved, { task_id: taskId, decision: 'approve', by: 'ops' });
      const final = await waitFor('the final comment', () => h.commentsOn(500)[0]);
      assert.match(final.body, /DONE: fixed it \(plan approved\)/);
      assert.match(final.body, /Approved by @ops via mcp/);

      const again = await call(client, 'approve-task', { task_id: taskId });
      assert.equal(again.isError, true);
      assert.match(text(again), /not (waiting|running)/);
    });

    it('rejects a waiting task with a reason, and cancels a running one', async () => {
      const rejectedId = await waitingTask(501);
      json(await call(client, 'reject-task', { task_id: rejectedId, reason: 'too risky' }));
      const rejected = await waitFor('the rejection', () => h.commentsOn(501)[0]);
      assert.match(rejected.body, /Rejected/);
      assert.match(rejected.body, /too risky/);

      const cancelledId = await waitingTask(502);
      assert.deepEqual(json(await call(client, 'cancel-task', { task_id: cancelledId })), { task_id: cancelledId, cancelling: true });
      const cancelled = await waitFor('the cancellation', () => h.commentsOn(502)[0]);
      assert.match(cancelled.body, /Cancelled/);
      const twice = await call(client, 'cancel-task', { task_id: cancelledId });
      assert.equal(twice.isError, true);
      assert.match(text(twice), /is not running/);
    });

    it('answers unknown tasks and bad input as isError results', async () => {
      const missing = await call(client, 'get-task', { task_id: 'gh-no-such-task' });
      assert.equal(missing.isError, true);
      assert.equal(text(missing), 'no task gh-no-such-task');
      const bad = await call(client, 'get-task', { task_id: 'x" OR 1=1' });
      assert.equal(bad.isError, true);
      assert.match(text(bad), /a task id such as gh-c123456/);
      const status = await call(client, 'list-tasks', { status: 'bogus' });
      assert.equal(status.isError, true);
    });

    it('starts a task on a repository on an API thread of its own, and refuses what is no task', async () => {
      const started = json<{ task_id: string; workflow_id: string; thread: string }>(await call(client, 'start-task', { repo: 'acme/widgets', request: 'review the error handling', requester: 'ops' }));
      assert.match(started.task_id, /^api-[0-9a-f-]+$/);
      assert.equal(started.workflow_id, `api:${started.thread}/task/${started.task_id}`);
      const conversation = await testTemporal().client.workflow.getHandle(`api:${started.thread}`).describe();
      assert.equal(conversation.status.name, 'RUNNING');
      assert.deepEqual(conversation.searchAttributes['AgentProvider'], ['api']);
      assert.deepEqual(conversation.searchAttributes['AgentRequester'], ['ops']);
      await testTemporal().client.workflow.getHandle(`api:${started.thread}`).terminate('test over');

      const notATask = await call(client, 'start-task', { repo: 'acme/widgets', request: 'status' });
      assert.equal(notATask.isError, true);
      assert.match(text(notATask), /the thread command `status`/);
      const badRepo = await call(client, 'start-task', { repo: 'not a repo', request: 'review' });
      assert.equal(badRepo.isError, true);
      assert.match(text(badRepo), /repo: expected owner\/repo/);
    });
  });

  describe('over Streamable HTTP at /mcp on the gateway', () => {
    async function connect(token: string | undefined): Promise<McpClient> {
      const client = new McpClient({ name: 'test', version: '1.0.0' });
      const headers: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` };
      await client.connect(new StreamableHTTPClientTransport(new URL(`${h.gateway.url}/mcp`), { requestInit: { headers } }));
      return client;
    }

    it('answers 401 without the bearer token or with a wrong one', async () => {
      for (const token of [undefined, 'wrong-token']) {
        await assert.rejects(connect(token), (error: unknown) => (error as { code?: unknown }).code === 401);
        const response = await fetch(`${h.gateway.url}/mcp`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
        });
        assert.equal(response.status, 401);
        assert.equal(response.headers.get('www-authenticate'), 'Bearer');
      }
      const get = await fetch(`${h.gateway.url}/mcp`, { headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(get.status, 405);
    });

    it('lists and approves a waiting task with the token', async () => {
      const taskId = await waitingTask(510);
      const client = await connect(TOKEN);
      try {
        const listed = await waitFor('the task in the list', async () => {
          const result = json<Listed>(await call(client, 'list-tasks', { thread: `acme/${h.repo}#510` }));
          return result.tasks.length > 0 ? result.tasks : undefined;
        });
        assert.equal(listed[0]?.task_id, taskId);
        assert.equal(listed[0]?.status, 'awaiting_approval');
        json(await call(client, 'approve-task', { task_id: taskId, by: 'remote-ops' }));
        const final = await waitFor('the final comment', () => h.commentsOn(510)[0]);
        assert.match(final.body, /Approved by @remote-ops via mcp/);
      } finally {
        await client.close();
      }
    });
  });

  it('serves the same tools over stdio with npm run mcp (scripts/mcp.ts)', async () => {
    const taskId = await waitingTask(520);
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: ['--import', 'tsx', path.join(__dirname, '..', '..', 'scripts', 'mcp.ts')],
      cwd: path.join(__dirname, '..', '..'),
      env: { PATH: process.env.PATH ?? '', ...h.processEnv() },
      stderr: 'pipe',
    });
    const client = new McpClient({ name: 'test', version: '1.0.0' });
    await client.connect(transport);
    try {
      const { tools } = await client.listTools();
      assert.equal(tools.length, 6);
      const listed = await waitFor('the task in the list', async () => {
        const result = json<Listed>(await call(client, 'list-tasks', { thread: `acme/${h.repo}#520`, status: 'awaiting_approval' }));
        return result.tasks.length > 0 ? result.tasks : undefined;
      });
      assert.equal(listed[0]?.task_id, taskId);
    } finally {
      await client.close();
    }
  });
});
