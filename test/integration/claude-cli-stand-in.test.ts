import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startAnthropicStandIn, type AnthropicStandIn, type AnthropicStandInOptions } from '../support/anthropic-stand-in';

const CLAUDE = path.resolve(__dirname, '../../node_modules/.bin/claude');
const README = 'Project Zebra: the magic word is xylophone-42.\n';

/** The fields of the CLI's NDJSON lines (and of their content blocks) these tests read. */
interface Block {
  type?: string;
  id?: string;
  name?: string;
  input?: { command?: string };
  tool_use_id?: string;
  is_error?: boolean;
  content?: unknown;
  text?: string;
}

interface Line {
  type?: string;
  subtype?: string;
  session_id?: string;
  tools?: string[];
  message?: { content?: string | Block[] };
  result?: string;
  is_error?: boolean;
  api_error_status?: number | null;
  num_turns?: number;
  total_cost_usd?: number;
  usage?: { input_tokens?: number; output_tokens?: number };
  errors?: string[];
}

interface Run {
  code: number | null;
  lines: Line[];
  stderr: string;
}

/**
 * The real `claude` CLI, headless, against the Anthropic stand-in: a fresh HOME (its state lives in
 * `$HOME/.claude.json` and `$HOME/.claude/`), no inherited environment, no traffic but to the stand-in.
 */
function runClaude(standIn: AnthropicStandIn, dirs: { workspace: string; home: string }, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(CLAUDE, ['--output-format', 'stream-json', '--verbose', ...args], {
      cwd: dirs.workspace,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: dirs.home,
        ANTHROPIC_BASE_URL: standIn.url,
        ANTHROPIC_API_KEY: 'test-key',
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const lines = stdout
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as Line);
      resolve({ code, lines, stderr });
    });
  });
}

function blocks(lines: Line[], type: 'assistant' | 'user'): Block[] {
  return lines.filter((line) => line.type === type).flatMap((line) => (Array.isArray(line.message?.content) ? line.message.content : []));
}

describe('the real claude CLI against the Anthropic stand-in', function () {
  this.timeout(30_000);
  let standIn: AnthropicStandIn | undefined;
  let dirs: { workspace: string; home: string };

  beforeEach(() => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'claude-stand-in-'));
    dirs = { workspace: path.join(root, 'workspace'), home: path.join(root, 'home') };
    fs.mkdirSync(dirs.workspace);
    fs.mkdirSync(dirs.home);
    fs.writeFileSync(path.join(dirs.workspace, 'README.md'), README);
  });

  afterEach(async () => {
    await standIn?.stop();
    standIn = undefined;
    fs.rmSync(path.dirname(dirs.workspace), { recursive: true, force: true });
  });

  async function start(options: AnthropicStandInOptions = {}): Promise<AnthropicStandIn> {
    standIn = await startAnthropicStandIn(options);
    return standIn;
  }

  it('runs a Bash tool use in the workspace and reports a success result', async () => {
    const api = await start();
    const run = await runClaude(api, dirs, ['-p', 'read the README', '--allowedTools', 'Bash']);
    assert.equal(run.code, 0, run.stderr);

    const init = run.lines[0];
    assert.equal(init?.type, 'system');
    assert.equal(init?.subtype, 'init');
    assert.match(String(init?.session_id), /^[0-9a-f-]{36}$/);
    assert.ok(init?.tools?.includes('Bash'));

    const toolUse = blocks(run.lines, 'assistant').find((block) => block.type === 'tool_use');
    assert.equal(toolUse?.name, 'Bash');
    assert.equal(toolUse?.input?.command, 'cat README.md');
    const toolResult = blocks(run.lines, 'user').find((block) => block.type === 'tool_result');
    assert.equal(toolResult?.tool_use_id, toolUse?.id);
    assert.equal(toolResult?.is_error, false);
    assert.equal(toolResult?.content, README.trim());

    const result = run.lines.at(-1);
    assert.equal(result?.type, 'result');
    assert.equal(result?.subtype, 'success');
    assert.equal(result?.is_error, false);
    assert.equal(result?.result, `The README says: ${README.trim()}`);
    assert.equal(result?.session_id, init?.session_id);
    assert.equal(result?.num_turns, 2);
    assert.equal(typeof result?.total_cost_usd, 'number');
    assert.ok((result?.total_cost_usd ?? 0) > 0);
    assert.equal(result?.usage?.input_tokens, 2 * 1200);
    assert.equal(result?.usage?.output_tokens, 2 * 60);

    // Two main-conversation calls, nothing else but the client's `HEAD /` warm-up; the key never recorded.
    const main = api.mainRequests();
    assert.equal(main.length, 2);
    assert.ok(main.every((request) => request.path === '/v1/messages' && request.stream && request.headers['x-api-key'] === undefined));
    assert.deepEqual(
      api.requests.filter((request) => request.kind !== 'main').map((request) => `${request.method} ${request.path}`),
      ['HEAD /'],
    );
  });

  it('resumes the same session, sending the previous messages again', async () => {
    const api = await start();
    const first = await runClaude(api, dirs, ['-p', 'read the README', '--allowedTools', 'Bash']);
    assert.equal(first.code, 0, first.stderr);
    const sessionId = String(first.lines[0]?.session_id);

    const second = await runClaude(api, dirs, ['-p', 'read it again', '--allowedTools', 'Bash', '--resume', sessionId]);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.lines[0]?.session_id, sessionId);
    assert.equal(second.lines.at(-1)?.session_id, sessionId);
    assert.equal(second.lines.at(-1)?.subtype, 'success');

    const resumed = api.mainRequests()[2]?.body as { messages: { role: string; content: string | Block[] }[] };
    const texts = resumed.messages.flatMap((message) => (Array.isArray(message.content) ? message.content : [])).map((block) => block.text);
    assert.ok(texts.includes('read the README'), 'the first prompt is sent again');
    assert.ok(texts.includes('read it again'));
    assert.ok(resumed.messages.some((message) => Array.isArray(message.content) && message.content.some((block) => block.type === 'tool_result')));
  });

  it('stops at --max-turns with error_max_turns and exit code 1', async () => {
    const api = await start({ scenario: 'always-tool' });
    const run = await runClaude(api, dirs, ['-p', 'read the README', '--allowedTools', 'Bash', '--max-turns', '1']);
    assert.equal(run.code, 1);
    const result = run.lines.at(-1);
    assert.equal(result?.subtype, 'error_max_turns');
    assert.equal(result?.is_error, true);
    assert.equal(result?.result, undefined);
    assert.deepEqual(result?.errors, ['Reached maximum number of turns (1)']);
    assert.equal(api.mainRequests().length, 1);
  });

  it('reports an API 500 as is_error with subtype success, and exit code 1', async () => {
    const api = await start({ scenario: 'server-error' });
    const run = await runClaude(api, dirs, ['-p', 'read the README'], { CLAUDE_CODE_MAX_RETRIES: '0' });
    assert.equal(run.code, 1);
    const result = run.lines.at(-1);
    assert.equal(result?.type, 'result');
    assert.equal(result?.subtype, 'success', 'an API error is not an error_* subtype');
    assert.equal(result?.is_error, true);
    assert.equal(result?.api_error_status, 500);
    assert.match(String(result?.result), /^API Error: 500 Internal server error \(stand-in\)/);
    assert.equal(api.mainRequests().length, 1);
  });
});
