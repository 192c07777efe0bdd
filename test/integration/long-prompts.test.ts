import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { ErrorType } from '../../contracts/errors';
import { createAgentActivities, type AgentRunnerConfig, type RunAgentInput, type RunAgentResult } from '../../activities/agent/run-agent';
import { AGENTS_DIR, Harness } from '../support/harness';
import { cjkText, longCjkComment } from '../support/long-request';
import { waitFor } from '../support/wait';

const KEY = 'github:acme/widgets#9';

function agentConfig(dataDir: string, more: Partial<AgentRunnerConfig> = {}): AgentRunnerConfig {
  return {
    kind: 'command',
    command: process.execPath,
    args: [path.join(AGENTS_DIR, 'prompt.js')],
    promptTemplate: undefined,
    promptOnStdin: false,
    timeoutMs: 60_000,
    idleTimeoutMs: 60_000,
    killGraceMs: 1_000,
    maxTurns: undefined,
    maxBudgetUsd: undefined,
    maxLogBytes: 4 * 1024 * 1024,
    progressIntervalMs: 60_000,
    pricePerMTok: undefined,
    envPassthrough: [],
    dataDir,
    workspace: { dataDir, clone: false, cloneUrlTemplate: '', gitToken: undefined, projects: {}, projectRoots: [], forbiddenPaths: [] },
    sourceEnv: { PATH: process.env['PATH'] },
    ...more,
  };
}

function inputFor(request: string): RunAgentInput {
  return {
    target: { provider: 'github', owner: 'acme', repo: 'widgets', number: 9, kind: 'issue' },
    targetWorkflowId: KEY,
    taskWorkflowId: `${KEY}/task/t-9`,
    command: { taskId: 't-9', deliveryId: 'd-9', request, requester: 'octocat', commentId: 9, url: '', receivedAt: new Date().toISOString() },
  };
}

/** A non-retryable ApplicationFailure of `type` whose message matches `message`. */
function refusal(type: string, message: RegExp) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof ApplicationFailure, `not an ApplicationFailure: ${String(error)}`);
    assert.equal(error.type, type);
    assert.equal(error.nonRetryable, true);
    assert.match(error.message, message);
    return true;
  };
}

describe('prompts that cannot be a command-line argument as they are', function () {
  this.timeout(30_000);
  let dataDir: string;
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-bot-long-prompt-'));
  });

  async function run(config: AgentRunnerConfig, request: string): Promise<RunAgentResult> {
    const { runAgent } = createAgentActivities(config, async () => {});
    // Its failures are what these tests expect: not logged.
    return new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') }).run(runAgent, inputFor(request));
  }

  function logOf(): string {
    return fs.readFileSync(path.join(dataDir, 'logs', 'tasks', 't-9', 'stream.jsonl'), 'utf8');
  }

  it('fails a command agent whose prompt is too long for an argument, non-retryable, naming the limit and AGENT_PROMPT_VIA=stdin', async () => {
    await assert.rejects(run(agentConfig(dataDir), cjkText(64_000)), refusal(ErrorType.AgentPromptTooLong, /too long for the command agent: its prompt is 192,\d{3} bytes .* more than the 102,400 bytes .*Set AGENT_PROMPT_VIA=stdin/));
    const log = logOf();
    assert.match(log, /"event_type":"completion","success":false,"result":"this request is too long for the command agent/);
    assert.doesNotMatch(log, /The prompt was/, 'no agent ran');
  });

  it('gives a command agent with AGENT_PROMPT_VIA=stdin the whole long prompt on stdin', async () => {
    const request = cjkText(64_000);
    const result = await run(agentConfig(dataDir, { args: [path.join(AGENTS_DIR, 'echo-stdin.js')], promptOnStdin: true }), request);
    assert.equal(result.answerChars, 'stdin: '.length + request.length);
    assert.equal(fs.readFileSync(path.join(dataDir, result.answerPath ?? ''), 'utf8'), `stdin: ${request}`);
  });

  it('fails cursor with a long prompt the same readable way, as it takes its prompt only as an argument', async () => {
    await assert.rejects(run(agentConfig(dataDir, { kind: 'cursor' }), cjkText(64_000)), refusal(ErrorType.AgentPromptTooLong, /too long for the cursor agent: .*takes its prompt only as an argument/));
  });

  it('strips NUL characters from the prompt, so a request holding one runs', async () => {
    const result = await run(agentConfig(dataDir), 'before\u0000after \u0000done');
    assert.match(result.text, /The prompt was:\nbeforeafter done/);
  });

  it('fails with a readable, non-retryable reason when the arguments and environment are too long for the system (E2BIG)', async () => {
    const config = agentConfig(dataDir, { args: [path.join(AGENTS_DIR, 'prompt.js'), 'x'.repeat(200_000)] });
    await assert.rejects(run(config, 'short'), refusal(ErrorType.AgentPromptTooLong, /could not be started \(E2BIG\): its arguments and environment are longer than this system allows \(the prompt: 5 bytes, an argument\)/));
  });
});

describe('a 64,015-character CJK comment to a command agent that takes its prompt as an argument', function () {
  this.timeout(60_000);
  let h: Harness;
  before(async () => {
    h = await Harness.start({ agent: 'answer.js' });
  });
  after(async () => {
    await h.stop();
  });

  it('fails after one attempt, saying on the thread why and what to set', async () => {
    const response = await h.comment(longCjkComment().comment);
    const status = await waitFor('the finished task', async () => {
      const current = await h.status();
      return current.past.length === 1 ? current : undefined;
    });
    assert.equal(status.past[0]?.outcome, 'failed');
    const comment = await waitFor('the failure comment', () => h.commentsOn()[0]);
    assert.match(comment.body.replace(/\s+/g, ' '), /The agent could not complete this request: this request is too long for the command agent: its prompt is 192,\d{3} bytes .*Set AGENT_PROMPT_VIA=stdin/);
    assert.doesNotMatch(comment.body, /E2BIG/);
    const log = fs.readFileSync(path.join(h.dataDir, 'logs', 'tasks', String(response.body['task_id']), 'stream.jsonl'), 'utf8');
    assert.deepEqual(log.match(/"stage":"starting","message":"attempt \d+/g), ['"stage":"starting","message":"attempt 1'], 'not retried');
  });
});
