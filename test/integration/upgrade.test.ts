import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { statusQuery } from '../../contracts/messages';
import { createAgentWorkers } from '../../workers/agent-worker';
import { Harness } from '../support/harness';
import { testTemporal } from '../support/temporal';
import { waitFor } from '../support/wait';

const ROOT = path.resolve(__dirname, '..', '..');
/** The last release of the GitHub-only workflows (before provider-neutral threads). */
const V1_COMMIT = 'ac3c0783a35dc6f9c3319eef65a8a8b217247d6c';

/** The workflow code of an earlier commit, bundled as a worker of that version would run it. */
async function bundleAt(commit: string) {
  const dir = fs.mkdtempSync(path.join(testTemporal().dataDir, 'v1-'));
  const archive = execFileSync('git', ['archive', '--format=tar', commit, 'workflows', 'contracts'], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
  execFileSync('tar', ['-x', '-C', dir], { input: archive });
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  const quiet = (): void => {};
  return bundleWorkflowCode({ workflowsPath: path.join(dir, 'workflows'), logger: { log: quiet, trace: quiet, debug: quiet, info: quiet, warn: quiet, error: quiet } });
}

describe('upgrading: a conversation started by the previous release keeps working', function () {
  this.timeout(180_000);
  let h: Harness;
  before(async () => {
    h = await Harness.start({ startWorker: false });
  });
  after(async () => {
    await h.stop();
  });

  it('answers a new command on a thread whose conversation the v1 workflows started, after the worker is upgraded', async () => {
    const v1 = await bundleAt(V1_COMMIT);
    const old = await createAgentWorkers({ config: h.config, connection: testTemporal().nativeConnection, clientConnection: testTemporal().connection, workflowBundle: v1 });
    const oldRunning = old.run();
    try {
      // Today's gateway sends the old input shape beside the thread, so a v1 worker can start the conversation.
      await h.comment('@agent review before the upgrade', { number: 90 });
      await waitFor('the first answer, by the v1 workflows', () => h.commentsOn(90)[0], 60_000);
      // An upgrade between tasks: the v1 task has closed (its last writes come after the answer).
      await waitFor('the first task done, by the v1 workflows', async () => ((await h.status(90)).past.length === 1 ? true : undefined), 60_000);
    } finally {
      old.shutdown();
      await oldRunning;
    }

    await h.startWorkers();
    await h.comment('@agent review after the upgrade', { number: 90 });
    const status = await waitFor('the second task done', async () => {
      const current = await h.status(90);
      return current.past.length === 2 ? current : undefined;
    }, 60_000);
    assert.deepEqual(status.past.map((task) => `${task.request}: ${task.outcome}`), ['review before the upgrade: succeeded', 'review after the upgrade: succeeded']);
    const answers = h.commentsOn(90);
    assert.equal(answers.length, 2);
    assert.match(answers[1]!.body, /asked: review after the upgrade/);
    // The conversation is the same run the v1 code started: it was not restarted or replaced.
    const description = await h.target(90).describe();
    assert.equal(description.status.name, 'RUNNING');
    assert.equal((await h.target(90).query(statusQuery)).totals.tasks, 2);
  });
});
