import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { isServerRunning } from '../../temporal-config/cluster';
import { Harness } from '../support/harness';
import { killTemporalServer, restartTemporalServer, testCluster } from '../support/cluster';
import { testTemporal } from '../support/temporal';
import { waitFor } from '../support/wait';

describe('the Temporal server killed (SIGKILL) mid-run and restarted', function () {
  this.timeout(300_000);
  let h: Harness;
  let pidFile: string;
  before(async () => {
    testCluster();
    pidFile = path.join(fs.mkdtempSync(path.join(testTemporal().dataDir, 'server-crash-')), 'pids');
    h = await Harness.start({
      agent: 'slow.js',
      env: { SLOW_AGENT_SECONDS: '8', SLOW_AGENT_PID_FILE: pidFile, AGENT_ENV_PASSTHROUGH: 'SLOW_AGENT_SECONDS,SLOW_AGENT_PID_FILE' },
    });
  });
  after(async () => {
    // Whatever happened above, leave a server running for whatever comes next.
    if (!isServerRunning(testCluster().state)) await restartTemporalServer();
    await h.stop();
  });

  it('completes the task once: one result comment, one succeeded task, and the thread goes on', async () => {
    const response = await h.comment('@agent survive a server crash', { number: 90 });
    assert.equal(response.status, 202);
    const log = path.join(h.dataDir, 'logs', 'tasks', String(response.body['task_id']), 'stream.jsonl');
    await waitFor('the agent at work', () => fs.existsSync(log) && fs.readFileSync(log, 'utf8').includes('working 1/'), 60_000);

    const killed = testCluster().state.serverPid;
    await killTemporalServer();
    const restarted = await restartTemporalServer();
    assert.notEqual(restarted.serverPid, killed, 'a new server process');

    const comment = await waitFor('the result comment', () => h.commentsOn(90)[0], 180_000);
    assert.match(comment.body, /Slow answer done/);
    const past = await waitFor('the task in status', async () => {
      const done = (await h.status(90)).past;
      return done.length > 0 ? done : undefined;
    }, 60_000);
    assert.deepEqual(past.map((task) => task.outcome), ['succeeded']);

    // Tasks on a thread run in order: once a later one has answered, a duplicate of the first would be there.
    await h.comment('@agent and after the crash', { number: 90 });
    const both = await waitFor('the second task in status', async () => {
      const done = (await h.status(90)).past;
      return done.length >= 2 ? done : undefined;
    }, 120_000);
    assert.deepEqual(both.map((task) => task.request), ['survive a server crash', 'and after the crash']);
    assert.equal(h.commentsOn(90).length, 2, 'one result comment per task');
    const runs = fs.readFileSync(pidFile, 'utf8').trim().split('\n').length;
    // The agent of the first task runs again only if its heartbeat timed out while the server was down.
    assert.ok(runs === 2 || runs === 3, `the agents ran ${runs} times for 2 tasks`);
  });
});
