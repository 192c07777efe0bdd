import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { groupRunning, isRunning } from '../../activities/agent/process-table';
import { Harness } from '../support/harness';
import { testTemporal } from '../support/temporal';
import { waitFor } from '../support/wait';

const ROOT = path.resolve(__dirname, '..', '..');
/** The first run outlives the worker's heartbeat timeout, so an orphan would still run when the retry starts. */
const AGENT_ENV = { SLOW_AGENT_SECONDS: '4', SLOW_AGENT_FIRST_SECONDS: '120', SLOW_AGENT_CHILD: '1' };

/** One line per agent run, written by slow.js as it starts. */
function agentRuns(pidFile: string): { pid: number; pgid: number; earlierStillRunning: string }[] {
  return fs
    .readFileSync(pidFile, 'utf8')
    .trim()
    .split('\n')
    .map((line) => {
      const [pid, pgid, earlierStillRunning] = line.split(' ');
      return { pid: Number(pid), pgid: Number(pgid), earlierStillRunning: earlierStillRunning ?? '?' };
    });
}

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
  const agentGroups: number[] = [];
  before(async () => {
    pidFile = path.join(fs.mkdtempSync(path.join(testTemporal().dataDir, 'crash-')), 'pids');
    h = await Harness.start({
      startWorker: false,
      agent: 'slow.js',
      env: { ...AGENT_ENV, SLOW_AGENT_PID_FILE: pidFile, AGENT_ENV_PASSTHROUGH: [...Object.keys(AGENT_ENV), 'SLOW_AGENT_PID_FILE'].join(',') },
    });
  });
  after(async () => {
    for (const worker of workers) worker.kill('SIGKILL');
    // Only when the test failed: an orphan must not outlive the run.
    for (const group of agentGroups.filter(groupRunning)) process.kill(-group, 'SIGKILL');
    await h.stop();
  });

  it('takes its agent down with it, and the task completes once on another worker, never two agents at once', async () => {
    const env = { ...h.processEnv(), ...AGENT_ENV, SLOW_AGENT_PID_FILE: pidFile };
    const first = startWorkerProcess(env);
    workers.push(first);
    await h.comment('@agent survive a crash', { number: 80 });
    await waitFor('the agent to start on the first worker', () => fs.existsSync(pidFile), 60_000);

    const [orphan] = agentRuns(pidFile);
    assert.ok(orphan !== undefined && isRunning(orphan.pid), 'the first agent runs when its worker is killed');
    agentGroups.push(orphan.pgid);
    first.kill('SIGKILL');
    await waitFor('the first agent and its process group to be gone', () => !isRunning(orphan.pid) && !groupRunning(orphan.pgid), 15_000);
    workers.push(startWorkerProcess(env));

    const comment = await waitFor('the result comment', () => h.commentsOn(80)[0], 90_000).catch(async (error: unknown) => {
      process.stderr.write(await describeThread(h, 80));
      throw error;
    });
    assert.match(comment.body, /Slow answer done/);
    const runs = agentRuns(pidFile);
    assert.equal(runs.length, 2, 'the agent ran again on the second worker');
    assert.equal(runs[1]?.earlierStillRunning, '-', 'nothing of the first run was alive when the second started');
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
