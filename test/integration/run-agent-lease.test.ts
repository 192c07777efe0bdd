import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { AgentProgress } from '../../contracts/task';
import { acquireLease } from '../../activities/agent/lease';
import type { SpawnedAgent } from '../../activities/agent/process-group';
import { isRunning } from '../../activities/agent/process-table';
import { createAgentActivities, type AgentRunnerConfig, type RunAgentInput } from '../../activities/agent/run-agent';
import { startFamily } from '../support/family';
import { AGENTS_DIR } from '../support/harness';
import { waitFor } from '../support/wait';

const KEY = 'github:acme/widgets#7';

function agentConfig(dataDir: string): AgentRunnerConfig {
  return {
    kind: 'command',
    command: process.execPath,
    args: [path.join(AGENTS_DIR, 'answer.js')],
    promptTemplate: undefined,
    promptOnStdin: false,
    timeoutMs: 60_000,
    idleTimeoutMs: 60_000,
    killGraceMs: 1_000,
    maxTurns: undefined,
    maxBudgetUsd: undefined,
    maxLogBytes: 1024 * 1024,
    progressIntervalMs: 60_000,
    pricePerMTok: undefined,
    envPassthrough: [],
    dataDir,
    workspace: { dataDir, clone: false, cloneUrlTemplate: '', gitToken: undefined, projects: {}, projectRoots: [], forbiddenPaths: [] },
    sourceEnv: { PATH: process.env['PATH'] },
  };
}

const input: RunAgentInput = {
  target: { provider: 'github', owner: 'acme', repo: 'widgets', number: 7, kind: 'issue' },
  targetWorkflowId: KEY,
  taskWorkflowId: `${KEY}/task/t-7`,
  command: { taskId: 't-7', deliveryId: 'd-7', request: 'answer', requester: 'octocat', commentId: 7, url: '', receivedAt: new Date().toISOString() },
};

/** An earlier attempt's agent (family.js) under a supervisor holding the workspace lease as `host`. */
async function earlierAttempt(dataDir: string, host?: string): Promise<{ agent: SpawnedAgent; pids: number[] }> {
  const lease = await acquireLease({ dataDir, key: KEY, taskId: 't-7', attempt: 1, killGraceMs: 1_000, refreshMs: 200, ...(host === undefined ? {} : { host }) });
  return startFamily({ lease });
}

describe('runAgent and the workspace lease', function () {
  this.timeout(30_000);
  let dataDir: string;
  const earlier: SpawnedAgent[] = [];
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-bot-run-lease-'));
  });
  afterEach(async () => {
    for (const agent of earlier.splice(0)) {
      agent.kill(500);
      await agent.exited.catch(() => undefined);
    }
  });

  it("stops the earlier attempt's agent on this machine before starting its own, and says so", async () => {
    const { agent, pids } = await earlierAttempt(dataDir);
    earlier.push(agent);
    const env = new MockActivityEnvironment({ attempt: 2 });
    const { runAgent } = createAgentActivities(agentConfig(dataDir), async () => {});
    const result: Awaited<ReturnType<typeof runAgent>> = await env.run(runAgent, input);
    assert.match(result.text, /The answer is 42/);
    assert.deepEqual(pids.filter(isRunning), [], 'the earlier attempt is gone');
    const log = fs.readFileSync(result.logPath, 'utf8');
    assert.match(log, /"stage":"lease","message":"stopping an earlier attempt \(1\) on this machine"/);
    assert.ok(log.indexOf('stopping an earlier attempt') < log.indexOf('The answer is 42'), 'stopped before the new agent ran');
  });

  it("waits for a live attempt on another machine, shows it in the heartbeat, and cancelling ends the wait", async () => {
    const { agent } = await earlierAttempt(dataDir, 'other-machine');
    earlier.push(agent);
    const env = new MockActivityEnvironment({ attempt: 2 });
    const stages: string[] = [];
    env.on('heartbeat', (details: AgentProgress) => stages.push(details.stage));
    const { runAgent } = createAgentActivities(agentConfig(dataDir), async () => {});
    const run = env.run(runAgent, input);
    await waitFor('a heartbeat saying what the attempt waits for', () => stages.includes('waiting for an earlier attempt on other-machine to stop'));
    env.cancel();
    await assert.rejects(run, (error) => error instanceof CancelledFailure);
    const log = fs.readFileSync(path.join(dataDir, 'logs', 'tasks', 't-7', 'stream.jsonl'), 'utf8');
    assert.doesNotMatch(log, /The answer is 42/, 'no agent ran while the other machine held the lease');
    assert.match(log, /"event_type":"completion","success":false,"result":"cancelled"/);
  });
});
