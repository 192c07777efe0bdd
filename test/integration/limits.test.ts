import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { statusQuery } from '../../contracts/messages';
import { liveTaskProgress, WAITING_FOR_AGENT_SLOT } from '../../activities/live-progress';
import { Harness } from '../support/harness';
import { testTemporal } from '../support/temporal';
import { waitFor } from '../support/wait';

async function failureComment(h: Harness, number: number) {
  const comment = await waitFor('the failure comment', () => h.commentsOn(number)[0], 60_000);
  assert.match(comment.body, /Failed/);
  return comment.body.replace(/\s+/g, ' ');
}

describe('limits on an agent run', function () {
  this.timeout(90_000);

  it('stops an agent that prints nothing for AGENT_IDLE_TIMEOUT, and says so', async () => {
    const h = await Harness.start({ agent: 'silent.js', env: { AGENT_IDLE_TIMEOUT: '2s' } });
    try {
      await h.comment('@agent think', { number: 100 });
      assert.match(await failureComment(h, 100), /printed nothing for AGENT_IDLE_TIMEOUT \(2 s\)/);
      const past = await waitFor('the task in status', async () => (await h.status(100)).past[0]);
      assert.equal(past.outcome, 'failed');
    } finally {
      await h.stop();
    }
  });

  it('stops an agent that runs past AGENT_TIMEOUT, and says so', async () => {
    const h = await Harness.start({ agent: 'slow.js', env: { AGENT_TIMEOUT: '3s', SLOW_AGENT_SECONDS: '60', AGENT_ENV_PASSTHROUGH: 'SLOW_AGENT_SECONDS' } });
    try {
      await h.comment('@agent take your time', { number: 101 });
      assert.match(await failureComment(h, 101), /ran longer than AGENT_TIMEOUT \(3 s\)/);
    } finally {
      await h.stop();
    }
  });

  it('keeps at most AGENT_MAX_LOG_BYTES of output in the log, and still records the end', async () => {
    const h = await Harness.start({ agent: 'lines.js', env: { LINES: '2000', AGENT_ENV_PASSTHROUGH: 'LINES', AGENT_MAX_LOG_BYTES: '4096' } });
    try {
      const response = await h.comment('@agent print a lot', { number: 102 });
      await waitFor('the result comment', () => h.commentsOn(102)[0]);
      const log = fs.readFileSync(path.join(h.dataDir, 'logs', 'tasks', String(response.body['task_id']), 'stream.jsonl'), 'utf8');
      const events = log.trim().split('\n').map((line) => JSON.parse(line) as { event_type: string; stage?: string });
      assert.ok(Buffer.byteLength(log) < 4096 + 2048, `log is ${Buffer.byteLength(log)} bytes`);
      assert.equal(events.filter((e) => e.stage === 'log_capped').length, 1);
      assert.equal(events.at(-1)?.event_type, 'completion');
    } finally {
      await h.stop();
    }
  });
});

describe('AGENT_MAX_CONCURRENT', function () {
  this.timeout(90_000);

  it('runs one agent at a time when set to 1; the other task shows as waiting, then runs', async () => {
    // The first agent works until the test lets it finish, so the second surely waits meanwhile.
    const gate = fs.mkdtempSync(path.join(testTemporal().dataDir, 'gate-'));
    const h = await Harness.start({ agent: 'slow.js', env: { AGENT_MAX_CONCURRENT: '1', SLOW_AGENT_SECONDS: '60', SLOW_AGENT_GATE_DIR: gate, AGENT_ENV_PASSTHROUGH: 'SLOW_AGENT_SECONDS,SLOW_AGENT_GATE_DIR' } });
    try {
      const first = await h.comment('@agent first', { number: 110 });
      const firstTask = h.taskId(String(first.body['task_id']), 110);
      await waitFor('the first agent to run', async () => {
        const progress = await liveTaskProgress(testTemporal().client, firstTask);
        return progress !== undefined && progress.stage !== WAITING_FOR_AGENT_SLOT;
      });
      const second = await h.comment('@agent second', { number: 111 });
      const waiting = await waitFor('the second task to wait for a slot', () => liveTaskProgress(testTemporal().client, h.taskId(String(second.body['task_id']), 111)));
      assert.equal(waiting.stage, WAITING_FOR_AGENT_SLOT);
      assert.equal((await h.status(111)).phase, 'running');
      assert.equal((await h.status(110)).past.length, 0, 'the first task is still running');
      fs.writeFileSync(path.join(gate, 'all'), '');
      await waitFor('both answers', () => h.commentsOn(110).length === 1 && h.commentsOn(111).length === 1, 60_000);
    } finally {
      await h.stop();
    }
  });
});

describe('history size', function () {
  this.timeout(90_000);

  it('does not grow with output: a 10-line run and a 100,000-line run record the same events', async () => {
    const counts: number[] = [];
    for (const [number, lines] of [[120, '10'], [121, '100000']] as const) {
      // Progress signals and comment edits are time-based by design; fix their pace so only output differs.
      const h = await Harness.start({ agent: 'lines.js', env: { LINES: lines, AGENT_ENV_PASSTHROUGH: 'LINES', AGENT_PROGRESS_INTERVAL: '10m', PROGRESS_COMMENT_INTERVAL: '10m' } });
      try {
        const response = await h.comment('@agent print', { number });
        await waitFor('the result comment', () => h.commentsOn(number)[0], 60_000);
        const task = testTemporal().client.workflow.getHandle(h.taskId(String(response.body['task_id']), number));
        await task.result();
        const history = await task.fetchHistory();
        // Workflow-task events depend on how the server batches a signal with an activity's completion
        // (timing, not output); every other event is what the task did.
        const workflowTaskEvents = new Set([
          temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
          temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
          temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
        ]);
        counts.push((history.events ?? []).filter((event) => !workflowTaskEvents.has(event.eventType ?? 0)).length);
        const status = await h.target(number).query(statusQuery);
        assert.equal(status.past[0]?.outcome, 'succeeded');
      } finally {
        await h.stop();
      }
    }
    assert.ok(counts[0]! > 0);
    assert.equal(counts[1], counts[0], `event counts: ${counts.join(' vs ')}`);
  });
});
