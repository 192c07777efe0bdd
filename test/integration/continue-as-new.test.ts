import assert from 'node:assert/strict';
import { Harness } from '../support/harness';
import { startOwnTemporal, type TestTemporal } from '../support/temporal';
import { waitFor } from '../support/wait';

/**
 * A long conversation continues as new when the server suggests it. Its memory of deliveries must go with
 * it: GitHub redelivers a webhook hours later, and the command must not run twice. A server of this test's
 * own suggests continue-as-new after a few events, so the first task is enough to cross the line.
 */
describe('a conversation that continued as new', function () {
  this.timeout(180_000);
  let temporal: TestTemporal & { stop(): Promise<void> };
  let h: Harness;
  before(async () => {
    temporal = await startOwnTemporal({ dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': 10 } });
    h = await Harness.start({ temporal });
  });
  after(async () => {
    await h?.stop();
    await temporal?.stop();
  });

  it('still ignores a redelivered webhook, and keeps its past tasks', async () => {
    const deliveryId = 'c0ffee00-0000-4000-8000-000000000046';
    const first = await h.comment('@agent only once, even later', { number: 46, deliveryId });
    assert.equal(first.status, 202);
    await waitFor('the first answer', () => h.commentsOn(46)[0]);

    const continued = await waitFor('the conversation to continue as new', async () => {
      for await (const run of temporal.client.workflow.list({ query: `WorkflowId = "${h.targetId(46)}"` })) {
        if (run.status.name === 'CONTINUED_AS_NEW') return run;
      }
      return undefined;
    });
    const latest = await h.target(46).describe();
    assert.notEqual(latest.runId, continued.runId);

    const again = await h.comment('@agent only once, even later', { number: 46, deliveryId });
    assert.equal(again.status, 202);
    // A later, different command shows the redelivery was processed, not merely still queued.
    await h.comment('@agent something else', { number: 46 });
    const status = await waitFor('the second task to finish', async () => {
      const current = await h.status(46);
      return current.past.length >= 2 ? current : undefined;
    });
    assert.deepEqual(status.past.map((task) => task.request), ['only once, even later', 'something else']);
    assert.equal(h.commentsOn(46).length, 2);
    // The conversation itself dropped the redelivery: no run tried to start the task a second time (the
    // task id's reuse policy would have refused it, but the thread would have shown it queued again).
    for await (const run of temporal.client.workflow.list({ query: `WorkflowId = "${h.targetId(46)}"` })) {
      const history = await temporal.client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
      const refused = (history.events ?? []).filter((event) => event.startChildWorkflowExecutionFailedEventAttributes);
      assert.equal(refused.length, 0, `run ${run.runId} tried to start a task that already ran`);
    }
  });
});
