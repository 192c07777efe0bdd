import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startAnthropicStandIn, type AnthropicStandIn } from '../support/anthropic-stand-in';
import { Harness } from '../support/harness';
import { waitFor } from '../support/wait';

const CLAUDE = path.resolve(__dirname, '..', '..', 'node_modules', '.bin', 'claude');

interface LogEvent {
  event_type: string;
  [key: string]: unknown;
}

function taskLog(h: Harness, taskId: string): LogEvent[] {
  const file = path.join(h.dataDir, 'logs', 'tasks', taskId, 'stream.jsonl');
  return fs.readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as LogEvent);
}

/** The real `claude` binary as the agent, talking to the Anthropic stand-in, in an empty workspace. */
function claudeHarness(standIn: AnthropicStandIn, env: Record<string, string> = {}): Promise<Harness> {
  return Harness.start({
    env: {
      AGENT_KIND: 'claude',
      AGENT_COMMAND: CLAUDE,
      AGENT_ARGS: JSON.stringify(['--allowedTools', 'Bash']),
      AGENT_ENV_PASSTHROUGH: '',
      ANTHROPIC_BASE_URL: standIn.url,
      ANTHROPIC_API_KEY: 'test-anthropic-key',
      CLAUDE_CODE_MAX_RETRIES: '0',
      HOME: fs.mkdtempSync(path.join(os.tmpdir(), 'claude-home-')),
      // The worker holds secrets of every kind: none may reach the agent.
      AGENT_BOT_API_TOKEN: 'test-api-token',
      ...env,
    },
  });
}

const INTERIM = 'Interim: the login form drops the password on submit.';

describe('the real claude binary calls agent-bot\'s thread tools', function () {
  this.timeout(120_000);
  let standIn: AnthropicStandIn;
  let h: Harness | undefined;

  beforeEach(async () => {
    // Turn 1 prints the agent's environment, turn 2 posts on the thread, turn 3 notes progress, then it answers.
    standIn = await startAnthropicStandIn({
      toolUses: [
        { name: 'Bash', input: { command: 'env | sort', description: 'print the environment' } },
        { name: 'mcp__agent-bot__post-thread-message', input: { text: INTERIM } },
        { name: 'mcp__agent-bot__update-progress-note', input: { note: 'writing the answer' } },
      ],
      finalText: (result) => `All done (${result}).`,
    });
  });

  afterEach(async () => {
    await h?.stop();
    h = undefined;
    await standIn.stop();
  });

  it('posts an interim comment with the worker\'s token, logs the call, and the agent\'s environment holds no token', async () => {
    h = await claudeHarness(standIn);
    const harness = h;
    const response = await harness.comment('@agent why does login fail?', { number: 77 });
    const taskId = String(response.body['task_id']);
    const final = await waitFor('the final comment', () => harness.commentsOn(77)[0], 90_000);
    assert.match(final.body, /All done \(The progress message on acme\/widgets-\w+#77 now shows your note\.\)\./, final.body);

    // The interim comment is on the thread, a marked reply, written with the worker's GitHub token.
    const interim = harness.repliesOn(77).find((comment) => comment.body.endsWith(INTERIM));
    assert.ok(interim, `no interim comment among ${JSON.stringify(harness.allCommentsOn(77).map((c) => c.body))}`);
    const post = harness.github.requests.find((request) => request.method === 'POST' && JSON.stringify(request.body).includes(INTERIM));
    assert.equal(post?.authorization, 'token test-token');

    // The progress note reached the task's comment while it ran.
    const history = harness.github.commentHistory.get(final.id) ?? [];
    assert.ok(history.some((body) => body.includes('> 📝 writing the answer')), `no note in ${JSON.stringify(history)}`);

    const events = taskLog(harness, taskId);
    const session = events.find((event) => event.event_type === 'session');
    assert.ok((session?.['tools'] as string[]).includes('mcp__agent-bot__post-thread-message'), 'claude loaded agent-bot\'s tools');
    const calls = events.filter((event) => event.event_type === 'mcp_call' || event.event_type === 'mcp_result');
    assert.deepEqual(calls.map((event) => [event.event_type, event['server'], event['tool']]), [
      ['mcp_call', 'agent-bot', 'post-thread-message'],
      ['mcp_result', 'agent-bot', 'post-thread-message'],
      ['mcp_call', 'agent-bot', 'update-progress-note'],
      ['mcp_result', 'agent-bot', 'update-progress-note'],
    ]);
    assert.deepEqual(calls[0]?.['input'], { text: INTERIM });
    assert.equal(calls[1]?.['is_error'], false);
    assert.equal(calls[0]?.['id'], calls[1]?.['id']);
    assert.ok(events.some((event) => event.event_type === 'tool_call' && event['name'] === 'mcp__agent-bot__post-thread-message'), 'the CLI\'s own line for the call');

    // What the agent's shell saw: its task id and the MCP config's path, and no credential at all.
    const env = String(events.find((event) => event.event_type === 'tool_result')?.['output']);
    assert.match(env, new RegExp(`^AGENT_BOT_TASK_ID=${taskId}$`, 'm'), env);
    assert.match(env, /^AGENT_BOT_MCP_CONFIG=.*\/logs\/tasks\/.*\/mcp\.json$/m);
    for (const secret of ['test-token', 'test-api-token', 'GITHUB_TOKEN', 'GITHUB_WEBHOOK_SECRET', 'AGENT_BOT_API_TOKEN', 'SLACK_', 'JIRA_', 'SENTRY_']) {
      assert.doesNotMatch(env, new RegExp(secret), `the agent saw ${secret}`);
    }
    // The run's grant is gone with it.
    assert.equal(fs.existsSync(path.join(harness.dataDir, 'logs', 'tasks', taskId, 'mcp-grant.json')), false);
  });

  it('offers no agent-bot tools with AGENT_MCP=false', async () => {
    h = await claudeHarness(standIn, { AGENT_MCP: 'false' });
    const harness = h;
    const response = await harness.comment('@agent why does login fail?', { number: 78 });
    const taskId = String(response.body['task_id']);
    const final = await waitFor('the final comment', () => harness.commentsOn(78)[0], 90_000);
    assert.match(final.body, /stand-in: no tool mcp__agent-bot__post-thread-message offered/);
    assert.equal(harness.repliesOn(78).length, 0);
    const events = taskLog(harness, taskId);
    const session = events.find((event) => event.event_type === 'session');
    assert.ok(!(session?.['tools'] as string[]).some((tool) => tool.startsWith('mcp__')));
    const env = String(events.find((event) => event.event_type === 'tool_result')?.['output']);
    assert.match(env, /^AGENT_BOT_TASK_ID=/m);
    assert.doesNotMatch(env, /AGENT_BOT_MCP_CONFIG/);
  });
});
