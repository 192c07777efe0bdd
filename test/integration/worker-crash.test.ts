import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Harness } from '../support/harness';
import { testTemporal } from '../support/temporal';
import { waitFor } from '../support/wait';

const ROOT = path.resolve(__dirname, '..', '..');

function startWorkerProcess(env: Record<string, string>): ChildProcess {
  // `node --import tsx` keeps it one process: the SIGKILL below hits the worker itself.
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'workers', 'worker.ts')], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr?.resume();
  return child;
}

describe('a worker killed mid-run', function () {
  this.timeout(120_000);
  let h: Harness;
  const workers: ChildProcess[] = [];
  let pidFile: string;
  before(async () => {
    pidFile = path.join(fs.mkdtempSync(path.join(testTemporal().dataDir, 'crash-')), 'pids');
    h = await Harness.start({
      startWorker: false,
      agent: 'slow.js',
      env: { SLOW_AGENT_SECONDS: '4', SLOW_AGENT_PID_FILE: pidFile, AGENT_ENV_PASSTHROUGH: 'SLOW_AGENT_SECONDS,SLOW_AGENT_PID_FILE' },
    });
  });
  after(async () => {
    for (const worker of workers) worker.kill('SIGKILL');
    await h.stop();
  });

  it('is noticed, and the task completes once on another worker', async () => {
    const env = { ...h.processEnv(), SLOW_AGENT_SECONDS: '4', SLOW_AGENT_PID_FILE: pidFile };
    const first = startWorkerProcess(env);
    workers.push(first);
    await h.comment('@agent survive a crash', { number: 80 });
    await waitFor('the agent to start on the first worker', () => fs.existsSync(pidFile), 60_000);

    const killedAt = Date.now();
    first.kill('SIGKILL');
    workers.push(startWorkerProcess(env));

    const comment = await waitFor('the result comment', () => h.commentsOn(80)[0], 90_000).catch(async (error: unknown) => {
      process.stderr.write(await describeThread(h, 80));
      throw error;
    });
    const recoveredInMs = Date.now() - killedAt;
    assert.match(comment.body, /Slow answer done/);
    assert.equal(fs.readFileSync(pidFile, 'utf8').trim().split('\n').length, 2, 'the agent ran again on the second worker');
    assert.ok(recoveredInMs < 45_000, `took ${recoveredInMs} ms to recover`);
    const past = await waitFor('the task in status', async () => {
      const done = (await h.status(80)).past;
      return done.length > 0 ? done : undefined;
    });
    assert.equal(past.length, 1);
    assert.equal(past[0]?.outcome, 'succeeded');
    assert.equal(h.commentsOn(80).length, 1);
  });
});

/** What the thread's workflows are doing, and the task logs: printed when this test fails. */
async function describeThread(h: Harness, number: number): Promise<string> {
  const lines: string[] = [];
  for await (const execution of testTemporal().client.workflow.list({ query: `AgentTarget = "acme/${h.repo}#${number}"` })) {
    const description = await testTemporal().client.workflow.getHandle(execution.workflowId).describe();
    const pending = (description.raw.pendingActivities ?? []).map((a) => `${a.activityType?.name} attempt ${a.attempt} on ${a.lastWorkerIdentity}`);
    lines.push(`${execution.workflowId} ${description.status.name} pending: ${pending.join(', ') || 'none'}`);
  }
  const logs = path.join(h.dataDir, 'logs', 'tasks');
  for (const task of fs.existsSync(logs) ? fs.readdirSync(logs) : []) lines.push(fs.readFileSync(path.join(logs, task, 'stream.jsonl'), 'utf8'));
  return lines.join('\n') + '\n';
}
