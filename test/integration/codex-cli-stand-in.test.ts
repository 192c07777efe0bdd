import assert from 'node:assert/strict';
import { CODEX_API_KEY_VAR as API_KEY_VAR, writeCodexHome } from '../support/codex-home';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startOpenAiStandIn, type OpenAiStandIn } from '../support/openai-stand-in';

// The real Codex CLI (npm @openai/codex), run headless against the Responses API stand-in.
const CODEX_BIN = path.resolve(__dirname, '..', '..', 'node_modules', '.bin', 'codex');
const README = 'Stand-in project\nmagic-token-7f3a\n';

/** The `codex exec --json` line fields this test reads. */
interface CodexItem {
  id: string;
  type: string;
  text?: string;
  command?: string;
  aggregated_output?: string;
  exit_code?: number | null;
  status?: string;
}

interface CodexEvent {
  type: string;
  thread_id?: string;
  item?: CodexItem;
  usage?: { input_tokens: number; cached_input_tokens: number; output_tokens: number; reasoning_output_tokens: number };
  error?: { message: string };
  message?: string;
}

interface CodexRun {
  code: number | null;
  events: CodexEvent[];
  stderr: string;
}

function runCodex(args: string[], cwd: string, codexHome: string): Promise<CodexRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(CODEX_BIN, args, {
      cwd,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: codexHome, CODEX_HOME: codexHome, [API_KEY_VAR]: 'sk-stand-in-test' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    }, 20_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      const events = stdout
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as CodexEvent);
      resolve({ code, events, stderr });
    });
  });
}

function ofType(run: CodexRun, type: string): CodexEvent[] {
  return run.events.filter((event) => event.type === type);
}

function completedItems(run: CodexRun, itemType: string): CodexItem[] {
  return ofType(run, 'item.completed')
    .map((event) => event.item)
    .filter((item): item is CodexItem => item?.type === itemType);
}

describe('codex CLI against the OpenAI Responses stand-in', function () {
  this.timeout(30_000);
  let root: string;
  let workspace: string;

  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'codex-stand-in-'));
    workspace = path.join(root, 'workspace');
    fs.mkdirSync(workspace);
    fs.writeFileSync(path.join(workspace, 'README.md'), README);
  });

  after(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  describe('tool call, answer, resume', () => {
    let standIn: OpenAiStandIn;
    let codexHome: string;
    let first: CodexRun;

    before(async () => {
      standIn = await startOpenAiStandIn({ command: 'cat README.md' });
      codexHome = path.join(root, 'codex-home');
      writeCodexHome(codexHome, standIn.url);
      first = await runCodex(['exec', '--json', '--skip-git-repo-check', 'Read the README and tell me what it says'], workspace, codexHome);
    });

    after(async () => {
      await standIn.stop();
    });

    it('runs the shell command in the workspace and answers with its output', () => {
      assert.equal(first.code, 0, first.stderr);
      const started = ofType(first, 'thread.started');
      assert.equal(started.length, 1);
      assert.match(String(started[0]!.thread_id), /^[0-9a-f-]{36}$/);

      const commands = completedItems(first, 'command_execution');
      assert.equal(commands.length, 1);
      assert.match(String(commands[0]!.command), /cat README\.md/);
      assert.equal(commands[0]!.exit_code, 0);
      assert.equal(commands[0]!.status, 'completed');
      assert.ok(String(commands[0]!.aggregated_output).includes('magic-token-7f3a'));

      const messages = completedItems(first, 'agent_message');
      assert.ok(messages.length >= 1);
      assert.ok(String(messages.at(-1)!.text).includes('magic-token-7f3a'), 'the final answer carries the tool output');

      const completed = ofType(first, 'turn.completed');
      assert.equal(completed.length, 1);
      // Summed over the turn's two model requests (the stand-in reports 1200 in / 40 out for each).
      assert.equal(completed[0]!.usage!.input_tokens, 2400);
      assert.equal(completed[0]!.usage!.output_tokens, 80);
      assert.equal(completed[0]!.usage!.cached_input_tokens, 0);
      assert.equal(first.events.at(-1)!.type, 'turn.completed');
    });

    it('made two streamed Responses requests, the second carrying the tool output', () => {
      const posts = standIn.requests.filter((request) => request.method === 'POST' && request.path === '/v1/responses');
      assert.equal(posts.length, 2);
      assert.equal(standIn.requests.length, 2, 'nothing besides /responses');
      const body = posts[1]!.body as { input: { type: string; output?: unknown }[]; stream: boolean; model: string };
      assert.equal(body.stream, true);
      assert.equal(body.model, 'gpt-5.5');
      const outputs = body.input.filter((item) => item.type === 'function_call_output');
      assert.ok(JSON.stringify(outputs).includes('magic-token-7f3a'));
      assert.equal(posts[0]!.headers.authorization, 'Bearer [redacted]');
    });

    it('resumes the thread with a new prompt under the same thread id and the earlier turn as context', async () => {
      const threadId = String(ofType(first, 'thread.started')[0]!.thread_id);
      const before = standIn.requests.length;
      const resumed = await runCodex(['exec', 'resume', threadId, '--json', '--skip-git-repo-check', 'Read it again'], workspace, codexHome);
      assert.equal(resumed.code, 0, resumed.stderr);
      assert.equal(ofType(resumed, 'thread.started')[0]!.thread_id, threadId);
      assert.equal(completedItems(resumed, 'command_execution').length, 1);
      // turn.completed usage on a resumed thread is the thread's running total, not this turn's.
      assert.equal(ofType(resumed, 'turn.completed')[0]!.usage!.input_tokens, 4800);

      const firstResumed = standIn.requests[before]!.body as { input: { type: string; role?: string; content?: { text?: string }[] }[] };
      const userTexts = firstResumed.input.filter((item) => item.type === 'message' && item.role === 'user').map((item) => item.content?.[0]?.text ?? '');
      assert.ok(userTexts.includes('Read the README and tell me what it says'), 'the previous prompt is sent again');
      assert.equal(userTexts.at(-1), 'Read it again');
      assert.ok(firstResumed.input.some((item) => item.type === 'function_call_output'), 'the previous tool result is sent again');
    });
  });

  describe('server error', () => {
    let standIn: OpenAiStandIn;

    before(async () => {
      standIn = await startOpenAiStandIn({ scenario: 'server-error' });
    });

    after(async () => {
      await standIn.stop();
    });

    it('fails the turn and exits 1 after a single request', async () => {
      const codexHome = path.join(root, 'codex-home-error');
      writeCodexHome(codexHome, standIn.url);
      const run = await runCodex(['exec', '--json', '--skip-git-repo-check', 'Read the README'], workspace, codexHome);
      assert.equal(run.code, 1);
      assert.deepEqual(
        run.events.map((event) => event.type),
        ['thread.started', 'turn.started', 'error', 'turn.failed'],
      );
      // Codex replaces a 500's message with its own.
      assert.match(String(ofType(run, 'turn.failed')[0]!.error!.message), /high demand/);
      assert.equal(standIn.requests.length, 1);
    });
  });
});
