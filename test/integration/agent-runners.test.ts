import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startAnthropicStandIn, type AnthropicStandIn, type AnthropicStandInOptions } from '../support/anthropic-stand-in';
import { CODEX_API_KEY_VAR, writeCodexHome } from '../support/codex-home';
import { createRemoteRepository, pushPullHead } from '../support/git-remote';
import { Harness } from '../support/harness';
import { longCjkComment } from '../support/long-request';
import { startOpenAiStandIn, type OpenAiStandIn } from '../support/openai-stand-in';
import { waitFor } from '../support/wait';

const BIN = path.resolve(__dirname, '..', '..', 'node_modules', '.bin');

interface LogEvent {
  event_type: string;
  [key: string]: unknown;
}

function taskLog(h: Harness, taskId: string): LogEvent[] {
  const file = path.join(h.dataDir, 'logs', 'tasks', taskId, 'stream.jsonl');
  return fs.readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as LogEvent);
}

async function finishedTasks(h: Harness, count: number, number = 42) {
  return waitFor(`${count} finished task(s)`, async () => {
    const status = await h.status(number);
    return status.past.length >= count ? status : undefined;
  }, 60_000);
}

/** A harness whose agent is the real `claude` binary talking to an Anthropic stand-in, in a git clone. */
async function claudeHarness(standIn: AnthropicStandIn, remoteRoot: string, env: Record<string, string> = {}): Promise<Harness> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'claude-home-'));
  return Harness.start({
    env: {
      AGENT_KIND: 'claude',
      AGENT_COMMAND: path.join(BIN, 'claude'),
      AGENT_ARGS: JSON.stringify(['--allowedTools', 'Bash']),
      AGENT_CLONE: 'true',
      GITHUB_CLONE_URL: `file://${remoteRoot}/{owner}/{repo}.git`,
      AGENT_ENV_PASSTHROUGH: '',
      ANTHROPIC_BASE_URL: standIn.url,
      ANTHROPIC_API_KEY: 'test-anthropic-key',
      CLAUDE_CODE_MAX_RETRIES: '0',
      HOME: home,
      ...env,
    },
  });
}

/** A harness whose agent is the real `codex` binary talking to an OpenAI stand-in, in a git clone. */
async function codexHarness(standIn: OpenAiStandIn, remoteRoot: string): Promise<{ h: Harness; codexHome: string }> {
  // Not under /tmp: codex refuses to create its helper binaries there (it warns, then carries on).
  const codexHome = fs.mkdtempSync(path.join(os.homedir(), '.agent-bot-test-codex-'));
  writeCodexHome(codexHome, standIn.url);
  const h = await Harness.start({
    env: {
      AGENT_KIND: 'codex',
      AGENT_COMMAND: path.join(BIN, 'codex'),
      AGENT_ARGS: '[]',
      AGENT_CLONE: 'true',
      GITHUB_CLONE_URL: `file://${remoteRoot}/{owner}/{repo}.git`,
      AGENT_ENV_PASSTHROUGH: CODEX_API_KEY_VAR,
      AGENT_PRICE_PER_MTOK: '1.25,10',
      CODEX_HOME: codexHome,
      [CODEX_API_KEY_VAR]: 'sk-stand-in',
    },
  });
  return { h, codexHome };
}

describe('the real Claude Code CLI as the agent', function () {
  this.timeout(120_000);
  const remoteRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'remotes-'));
  let standIn: AnthropicStandIn;
  let h: Harness;
  before(async () => {
    standIn = await startAnthropicStandIn({ scenario: 'tool-then-answer', command: 'cat README.md' });
    h = await claudeHarness(standIn, remoteRoot);
    createRemoteRepository(remoteRoot, 'acme', h.repo, { mainReadme: 'main branch readme\n', pulls: { 42: 'Project Zebra: the magic word is xylophone-42.\n' } });
  });
  after(async () => {
    await h.stop();
    await standIn.stop();
  });

  it('runs in a clone at the PR head and reports the session, tool call, answer, turns, cost and tokens', async () => {
    const response = await h.comment('@agent what does the README say?');
    const taskId = String(response.body['task_id']);
    const status = await finishedTasks(h, 1);
    const task = status.past[0]!;
    assert.equal(task.outcome, 'succeeded', task.reason);
    assert.equal(task.usage.turns, 2);
    assert.ok((task.usage.costUsd ?? 0) > 0, 'cost reported');
    assert.equal(task.usage.inputTokens, 2400);
    assert.equal(task.usage.outputTokens, 120);
    assert.equal(status.totals.costUsd, task.usage.costUsd);
    assert.equal(status.totals.inputTokens, 2400);

    const events = taskLog(h, taskId);
    const session = events.find((e) => e.event_type === 'session');
    assert.ok(typeof session?.['session_id'] === 'string');
    assert.equal(status.agentSessionId, session['session_id']);
    const call = events.find((e) => e.event_type === 'tool_call');
    assert.equal(call?.['name'], 'Bash');
    assert.match(JSON.stringify(call?.['input']), /cat README\.md/);
    const result = events.find((e) => e.event_type === 'tool_result');
    assert.match(String(result?.['output']), /xylophone-42/, 'the tool ran in a checkout of the PR head');
    const completion = events.at(-1);
    assert.equal(completion?.event_type, 'completion');
    assert.equal(completion?.['success'], true);
    assert.ok(events.some((e) => e.event_type === 'progress' && e['message'] === 'exit code 0'));

    const comment = await waitFor('the result comment', () => h.commentsOn()[0]);
    assert.match(comment.body, /The README says: Project Zebra: the magic word is xylophone-42\./);
    assert.match(comment.body, /cost \$\d+\.\d{4}/);
    assert.match(comment.body, /tokens 2400 in \/ 120 out/);
    assert.match(comment.body, /2 turns/);

    const prompt = JSON.stringify(standIn.mainRequests()[0]?.body);
    assert.match(prompt, /merges `feature-42` into `main`/, 'the prompt names the PR branches');
    const gitConfig = fs.readFileSync(path.join(h.dataDir, 'workspaces', 'github', 'acme', h.repo, '42', '.git', 'config'), 'utf8');
    assert.doesNotMatch(gitConfig, /test-token/);
  });

  it('resumes the same session for a follow-up on the same PR, after fetching the new PR head', async () => {
    const first = await h.status();
    pushPullHead(remoteRoot, 'acme', h.repo, 42, 'Project Zebra, second revision: the magic word is marimba-7.\n');
    const before = standIn.mainRequests().length;
    await h.comment('@agent and now?');
    const status = await finishedTasks(h, 2);
    assert.equal(status.past[1]?.outcome, 'succeeded', status.past[1]?.reason);
    assert.equal(status.agentSessionId, first.agentSessionId, 'same session id');
    const resumed = standIn.mainRequests()[before]?.body as { messages?: unknown[] };
    assert.ok((resumed.messages?.length ?? 0) > 1, 'the resumed request carries the earlier conversation');
    assert.match(JSON.stringify(resumed.messages), /what does the README say\?/);
    const comments = await waitFor('two comments', () => (h.commentsOn().length === 2 ? h.commentsOn() : undefined));
    assert.match(comments[1]!.body, /marimba-7/, 'the follow-up saw the new PR head');
    assert.equal(status.totals.tasks, 2);
    assert.ok(status.totals.costUsd > (status.past[0]?.usage.costUsd ?? 0));
  });
});

describe('Claude Code failure paths', function () {
  this.timeout(120_000);
  const remoteRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'remotes-'));
  const cases: { name: string; standIn: AnthropicStandInOptions; env?: Record<string, string>; expect: RegExp }[] = [
    { name: 'stops at AGENT_MAX_TURNS and says so', standIn: { scenario: 'always-tool' }, env: { AGENT_MAX_TURNS: '1' }, expect: /error_max_turns.*maximum number of turns \(1\)/ },
    { name: 'stops when the reported cost passes AGENT_MAX_BUDGET_USD, and says so', standIn: {}, env: { AGENT_MAX_BUDGET_USD: '0.001' }, expect: /budget/i },
    { name: 'reports the model server answering 500', standIn: { scenario: 'server-error' }, expect: /API Error: 500/ },
    { name: 'names AGENT_COMMAND when the binary is missing', standIn: {}, env: { AGENT_COMMAND: '/nonexistent/claude' }, expect: /AGENT_COMMAND "\/nonexistent\/claude" could not be started/ },
  ];
  for (const testCase of cases) {
    it(testCase.name, async () => {
      const standIn = await startAnthropicStandIn(testCase.standIn);
      const h = await claudeHarness(standIn, remoteRoot, testCase.env);
      try {
        createRemoteRepository(remoteRoot, 'acme', h.repo, { mainReadme: 'readme\n', pulls: { 42: 'pr readme\n' } });
        await h.comment('@agent go');
        const status = await finishedTasks(h, 1);
        assert.equal(status.past[0]?.outcome, 'failed');
        const comment = await waitFor('the failure comment', () => h.commentsOn()[0]);
        assert.match(comment.body, /Failed/);
        assert.match(comment.body.replace(/\s+/g, ' '), testCase.expect);
      } finally {
        await h.stop();
        await standIn.stop();
      }
    });
  }
});

describe('the real Claude Code CLI given a request too long for a command-line argument', function () {
  this.timeout(120_000);
  const remoteRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'remotes-'));
  let standIn: AnthropicStandIn;
  let h: Harness;
  before(async () => {
    standIn = await startAnthropicStandIn({ scenario: 'tool-then-answer', command: 'cat README.md' });
    h = await claudeHarness(standIn, remoteRoot);
    createRemoteRepository(remoteRoot, 'acme', h.repo, { mainReadme: 'readme\n', pulls: { 42: 'Project Zebra: the magic word is xylophone-42.\n' } });
  });
  after(async () => {
    await h.stop();
    await standIn.stop();
  });

  it('runs a 64,015-character CJK comment (192 KB) with its prompt on stdin, then resumes the session for another', async () => {
    const first = longCjkComment();
    await h.comment(first.comment);
    const status = await finishedTasks(h, 1);
    assert.equal(status.past[0]?.outcome, 'succeeded', status.past[0]?.reason);
    assert.ok(JSON.stringify(standIn.mainRequests()[0]?.body).includes(first.text), 'the model got the whole request');
    const comment = await waitFor('the result comment', () => h.commentsOn()[0]);
    assert.match(comment.body, /xylophone-42/);

    const second = longCjkComment(1);
    const before = standIn.mainRequests().length;
    await h.comment(second.comment);
    const after = await finishedTasks(h, 2);
    assert.equal(after.past[1]?.outcome, 'succeeded', after.past[1]?.reason);
    assert.equal(after.agentSessionId, status.agentSessionId, 'the same session, resumed');
    const resumed = JSON.stringify(standIn.mainRequests()[before]?.body);
    assert.ok(resumed.includes(first.text), 'the resumed conversation carries the first request');
    assert.ok(resumed.includes(second.text), 'and the whole new one');
  });
});

describe('the real Codex CLI as the agent', function () {
  this.timeout(120_000);
  const remoteRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'remotes-'));
  let standIn: OpenAiStandIn;
  let h: Harness;
  let codexHome: string;
  before(async () => {
    standIn = await startOpenAiStandIn({ command: 'cat README.md', usage: { input_tokens: 1200, output_tokens: 40 } });
    ({ h, codexHome } = await codexHarness(standIn, remoteRoot));
    createRemoteRepository(remoteRoot, 'acme', h.repo, { mainReadme: 'readme\n', pulls: { 42: 'Codex sees magic-token-7f3a\n' } });
  });
  after(async () => {
    await h.stop();
    await standIn.stop();
    fs.rmSync(codexHome, { recursive: true, force: true });
  });

  it('runs codex exec, then resumes its thread, with each task charged only its own tokens', async () => {
    // The stand-in charges 1200 in / 40 out per model request; a task makes two (tool call, answer).
    const first = await h.comment('@agent read the README');
    const status = await finishedTasks(h, 1);
    const task = status.past[0]!;
    assert.equal(task.outcome, 'succeeded', task.reason);
    assert.equal(task.usage.inputTokens, 2400);
    assert.equal(task.usage.outputTokens, 80);
    assert.equal(task.usage.turns, 1);
    assert.equal(task.usage.costUsd, (2400 * 1.25 + 80 * 10) / 1_000_000);
    const events = taskLog(h, String(first.body['task_id']));
    assert.ok(events.some((e) => e.event_type === 'tool_call' && JSON.stringify(e['input']).includes('cat README.md')));
    assert.ok(events.some((e) => e.event_type === 'tool_result' && String(e['output']).includes('magic-token-7f3a')));
    const comment = await waitFor('the result comment', () => h.commentsOn()[0]);
    assert.match(comment.body, /magic-token-7f3a/);

    await h.comment('@agent once more');
    const after = await finishedTasks(h, 2);
    assert.equal(after.past[1]?.outcome, 'succeeded', after.past[1]?.reason);
    assert.equal(after.agentSessionId, status.agentSessionId, 'codex exec resume kept the thread');
    assert.equal(after.past[1]?.usage.inputTokens, 2400, 'the second task is charged its own tokens, not the thread total');
    assert.equal(after.totals.inputTokens, 4800);
  });
});

describe('the real Codex CLI given a request too long for a command-line argument', function () {
  this.timeout(120_000);
  const remoteRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'remotes-'));
  let standIn: OpenAiStandIn;
  let h: Harness;
  let codexHome: string;
  before(async () => {
    standIn = await startOpenAiStandIn({ command: 'cat README.md' });
    ({ h, codexHome } = await codexHarness(standIn, remoteRoot));
    createRemoteRepository(remoteRoot, 'acme', h.repo, { mainReadme: 'readme\n', pulls: { 42: 'Codex sees magic-token-7f3a\n' } });
  });
  after(async () => {
    await h.stop();
    await standIn.stop();
    fs.rmSync(codexHome, { recursive: true, force: true });
  });

  it('runs a 64,015-character CJK comment (192 KB) with its prompt on stdin, then resumes the thread for another', async () => {
    const modelRequests = () => standIn.requests.filter((request) => request.method === 'POST' && request.path === '/v1/responses');
    const first = longCjkComment();
    await h.comment(first.comment);
    const status = await finishedTasks(h, 1);
    assert.equal(status.past[0]?.outcome, 'succeeded', status.past[0]?.reason);
    assert.ok(JSON.stringify(modelRequests()[0]?.body).includes(first.text), 'the model got the whole request');
    const comment = await waitFor('the result comment', () => h.commentsOn()[0]);
    assert.match(comment.body, /magic-token-7f3a/);

    const second = longCjkComment(1);
    const before = modelRequests().length;
    await h.comment(second.comment);
    const after = await finishedTasks(h, 2);
    assert.equal(after.past[1]?.outcome, 'succeeded', after.past[1]?.reason);
    assert.equal(after.agentSessionId, status.agentSessionId, 'codex exec resume kept the thread');
    const resumed = JSON.stringify(modelRequests()[before]?.body);
    assert.ok(resumed.includes(first.text), 'the resumed thread carries the first request');
    assert.ok(resumed.includes(second.text), 'and the whole new one');
  });
});
