import assert from 'node:assert/strict';
import { temporal } from '@temporalio/proto';
import fs from 'node:fs';
import path from 'node:path';
import { Harness } from '../support/harness';
import { testTemporal } from '../support/temporal';
import { waitFor } from '../support/wait';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function pidsIn(file: string): number[] {
  // slow.js writes `<pid> <process group> <earlier runs still running>` per run.
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((line) => Number(line.split(' ')[0])) : [];
}

describe('with every worker down', function () {
  this.timeout(60_000);
  let h: Harness;
  before(async () => {
    h = await Harness.start({ startWorker: false });
  });
  after(async () => {
    await h.stop();
  });

  it('still accepts the webhook, and the run happens when a worker starts', async () => {
    const response = await h.comment('@agent wait for a worker', { number: 70 });
    assert.equal(response.status, 202);
    const description = await h.target(70).describe();
    assert.equal(description.status.name, 'RUNNING', 'Temporal recorded the command before the ack');
    // Nothing can have run: the conversation's first workflow task is still waiting for a worker.
    const history = await h.target(70).fetchHistory();
    const types = (history.events ?? []).map((event) => event.eventType);
    assert.ok(types.includes(temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED));
    assert.ok(!types.includes(temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED), 'no worker picked it up');
    assert.equal(h.commentsOn(70).length, 0);
    await h.startWorkers();
    const comment = await waitFor('the result comment', () => h.commentsOn(70)[0]);
    assert.match(comment.body, /The answer is 42/);
  });
});

describe('cancelling a task', function () {
  this.timeout(60_000);
  let h: Harness;
  let pidFile: string;
  before(async () => {
    pidFile = path.join(fs.mkdtempSync(path.join(testTemporal().dataDir, 'cancel-')), 'pids');
    h = await Harness.start({
      agent: 'slow.js',
      env: { SLOW_AGENT_SECONDS: '60', SLOW_AGENT_PID_FILE: pidFile, AGENT_ENV_PASSTHROUGH: 'SLOW_AGENT_SECONDS,SLOW_AGENT_PID_FILE' },
    });
  });
  after(async () => {
    await h.stop();
  });

  it('kills the agent process and still posts a final "cancelled" comment', async () => {
    const response = await h.comment('@agent take forever', { number: 71 });
    const taskId = String(response.body['task_id']);
    const [pid] = await waitFor('the agent to start', () => (pidsIn(pidFile).length > 0 ? pidsIn(pidFile) : undefined));
    assert.ok(pid !== undefined && isAlive(pid));
    await waitFor('the agent to print a line', () => fs.readFileSync(path.join(h.dataDir, 'logs', 'tasks', taskId, 'stream.jsonl'), 'utf8').includes('working 1/'));

    await testTemporal().client.workflow.getHandle(h.taskId(taskId, 71)).cancel();

    await waitFor('the agent process to die', () => !isAlive(pid), 15_000);
    const comment = await waitFor('the cancelled comment', () => h.commentsOn(71)[0]);
    assert.match(comment.body, /Cancelled/);
    await waitFor('the confused reaction', () => h.github.reactionsOn(7_000_071).includes('confused'));
    const past = await waitFor('the task in status', async () => (await h.status(71)).past[0]);
    assert.equal(past.outcome, 'cancelled');
    const description = await testTemporal().client.workflow.getHandle(h.taskId(taskId, 71)).describe();
    assert.equal(description.status.name, 'CANCELLED');
  });
});
