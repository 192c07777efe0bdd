import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { liveTaskProgress } from '../../activities/live-progress';
import { Harness } from '../support/harness';
import { testTemporal } from '../support/temporal';
import { replayClosedWorkflows } from '../support/replay';
import { waitFor } from '../support/wait';

describe('commands on the thread', function () {
  this.timeout(120_000);
  let h: Harness;
  let gate: string;
  /** Lets the agent of one task (or, with 'all', every agent) finish: the tests act while agents run. */
  const release = (taskId: string): void => fs.writeFileSync(path.join(gate, taskId), '');
  before(async () => {
    gate = fs.mkdtempSync(path.join(testTemporal().dataDir, 'gate-'));
    h = await Harness.start({
      agent: 'slow.js',
      env: { SLOW_AGENT_SECONDS: '60', SLOW_AGENT_GATE_DIR: gate, AGENT_ENV_PASSTHROUGH: 'SLOW_AGENT_SECONDS,SLOW_AGENT_GATE_DIR', AGENT_DEFAULT_COMMAND: 'none' },
    });
  });
  after(async () => {
    await h.stop();
  });

  it('answers an unknown command with the list of commands', async () => {
    await h.comment('@agent frobnicate the widgets', { number: 300 });
    const help = await waitFor('the help reply', () => h.repliesOn(300)[0]);
    assert.match(help.body, /don't know the command `frobnicate`/);
    for (const command of ['review', 'explain', 'fix', 'status', 'cancel', 'retry', 'in <duration> <request>', 'approve', 'reject <reason>']) {
      assert.ok(help.body.includes(command), `lists ${command}`);
    }
  });

  it('"@agent status" replies with the queue, the current task and its progress, and the totals', async () => {
    await h.comment('@agent review the first part', { number: 301 });
    await h.comment('@agent review the second part', { number: 301 });
    const first = await waitFor('the first task to start', async () => (await h.status(301)).current);
    await waitFor('its agent to report progress', () => liveTaskProgress(testTemporal().client, h.taskId(first.taskId, 301)));
    await h.comment('@agent status', { number: 301 });
    const reply = await waitFor('the status reply', () => h.repliesOn(301)[0]);
    assert.match(reply.body, /Running: `gh-[^`]+` _review the first part_ by @octocat — .*\(\d+ lines\)/);
    assert.match(reply.body, /Queued: _review the second part_/);
    assert.match(reply.body, /Totals: 0 tasks/);
    release(first.taskId);
    const second = await waitFor('the second task to start', async () => ((await h.status(301)).current?.request === 'review the second part' ? (await h.status(301)).current : undefined));
    release(second.taskId);
  });

  it('"@agent cancel" stops the running task and finalizes its comment; "cancel all" also clears the queue', async () => {
    await waitFor('the first task of #301 to finish', async () => (await h.status(301)).past.length >= 1, 30_000);
    await h.comment('@agent review three', { number: 302 });
    await h.comment('@agent review four', { number: 302 });
    await h.comment('@agent review five', { number: 302 });
    await waitFor('the first to run', async () => (await h.status(302)).current?.request === 'review three');
    await h.comment('@agent cancel', { number: 302 });
    await waitFor('the cancel reply', () => h.repliesOn(302).some((c) => c.body.includes('cancelled the running task _review three_')));
    await waitFor('the second to run', async () => (await h.status(302)).current?.request === 'review four');
    await h.comment('@agent cancel all', { number: 302 });
    const status = await waitFor('everything cancelled', async () => {
      const s = await h.status(302);
      return s.past.length === 3 && s.current === undefined ? s : undefined;
    });
    // The queued one is recorded at once; the running one when its cancellation completes.
    assert.deepEqual(status.past.map((t) => `${t.request}: ${t.outcome}`).sort(), ['review five: cancelled', 'review four: cancelled', 'review three: cancelled']);
    const finals = await waitFor('two finalized comments', () => (h.commentsOn(302).length === 2 ? h.commentsOn(302) : undefined));
    assert.ok(finals.every((c) => c.body.includes('Cancelled')));
    assert.equal(h.allCommentsOn(302).filter((c) => c.body.includes('**⏳ Working**')).length, 0, 'no "working" comment left behind');
  });

  it('"@agent retry" runs the last task\'s request again', async () => {
    release('all');
    await h.comment('@agent review once more', { number: 303 });
    await waitFor('the first result', () => h.commentsOn(303).length === 1, 60_000);
    await h.comment('@agent retry', { number: 303 });
    const status = await waitFor('the retry to finish', async () => {
      const s = await h.status(303);
      return s.past.length === 2 ? s : undefined;
    }, 60_000);
    assert.deepEqual(status.past.map((t) => t.request), ['review once more', 'review once more']);
    assert.notEqual(status.past[0]?.taskId, status.past[1]?.taskId);
  });

  it('"@agent in <duration> <request>" fires once, on a durable timer listed by status', async () => {
    await h.comment('@agent in 3s review later', { number: 304 });
    const listed = await waitFor('the deferred task in status', async () => (await h.status(304)).deferred[0]);
    assert.equal(listed.request, 'review later');
    const status = await waitFor('the deferred task to run', async () => {
      const s = await h.status(304);
      return s.past.length === 1 ? s : undefined;
    }, 60_000);
    assert.equal(status.deferred.length, 0);
    const history = await h.target(304).fetchHistory();
    const fired = (history.events ?? []).filter((e) => e.timerFiredEventAttributes !== undefined && e.timerFiredEventAttributes !== null);
    assert.equal(fired.length, 1, 'its one timer fired once');
    assert.equal((history.events ?? []).filter((e) => e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId?.includes('/task/') === true).length, 1, 'and started the task once');
    assert.ok(history.events?.some((e) => e.timerStartedEventAttributes !== undefined && e.userMetadata?.summary !== undefined), 'the timer has a summary in the UI');
  });

  it('"@agent cancel" cancels a deferred task before it fires', async () => {
    await h.comment('@agent in 1h review much later', { number: 305 });
    await waitFor('the deferred task in status', async () => (await h.status(305)).deferred.length === 1);
    await h.comment('@agent cancel', { number: 305 });
    await waitFor('the cancel reply', () => h.repliesOn(305).some((c) => c.body.includes('cancelled the deferred task _review much later_')));
    assert.equal((await h.status(305)).deferred.length, 0);
  });

  it('leaves histories that replay without determinism errors', async () => {
    const replayed = await replayClosedWorkflows(h.repo, 'thread-commands');
    assert.ok(replayed >= 5, `replayed only ${replayed} histories`);
  });
});

describe('the progress comment', function () {
  this.timeout(120_000);

  it('is edited in place while the task runs and ends finalized, on success and on failure', async () => {
    for (const [agent, number, expected] of [['slow.js', 310, /Slow answer done/], ['fail.js', 311, /Failed/]] as const) {
      const h = await Harness.start({ agent, env: { SLOW_AGENT_SECONDS: '4', AGENT_ENV_PASSTHROUGH: 'SLOW_AGENT_SECONDS', AGENT_PROGRESS_INTERVAL: '1s' } });
      try {
        await h.comment('@agent ask something', { number });
        const final = await waitFor('the final comment', () => h.commentsOn(number)[0], 30_000);
        assert.match(final.body, expected);
        const all = h.allCommentsOn(number).filter((c) => c.body.includes('agent-bot:task='));
        assert.equal(all.length, 1, 'one comment per task');
        const versions = h.github.commentHistory.get(final.id) ?? [];
        if (agent === 'slow.js') {
          assert.ok(versions.filter((v) => v.includes('**⏳ Working**')).length >= 2, `edited while running (${versions.length} versions)`);
          assert.ok(versions.some((v) => /working \d\/4/.test(v)), 'shows the last output line');
        }
        assert.doesNotMatch(versions.at(-1) ?? '', /⏳ Working/);
        const task = testTemporal().client.workflow.getHandle(h.taskId(final.body.match(/task=(gh-[^ ]+) -->/)![1]!, number));
        // Once the task workflow has ended, every activity of it has ended: no edit can come after.
        await task.result().catch(() => undefined);
        assert.doesNotMatch(h.github.commentHistory.get(final.id)?.at(-1) ?? '', /⏳ Working/, 'nothing edits it after the end');
      } finally {
        await h.stop();
      }
    }
  });
});
