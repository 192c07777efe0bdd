import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ScheduleOverlapPolicy } from '@temporalio/client';
import { janitorScheduleId, type JanitorInput, type JanitorResult } from '../../contracts/janitor';
import { workerAgentTaskQueue } from '../../contracts/task-queues';
import { KEEP } from '../../workflows/janitor-plan';
import { Harness } from '../support/harness';
import { testTemporal } from '../support/temporal';
import { waitFor } from '../support/wait';
import { githubFixture, sendGithubDelivery } from '../support/webhooks';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ROOT = path.join(__dirname, '..', '..');

describe('the janitor', function () {
  this.timeout(180_000);
  let h: Harness;
  const tasks: Record<number, string> = {};
  const client = () => testTemporal().client;
  const workspace = (number: number) => path.join(h.dataDir, 'workspaces', 'github', 'acme', h.repo, String(number));
  const taskLog = (taskId: string) => path.join(h.dataDir, 'logs', 'tasks', taskId);
  const orphanLog = () => taskLog('gh-orphan');

  async function runJanitor(input: JanitorInput): Promise<{ result: JanitorResult; workflowId: string }> {
    const workflowId = `janitor-test-${randomUUID()}`;
    const result = await client().workflow.execute('janitorWorkflow', { taskQueue: h.taskQueue, workflowId, args: [input] });
    return { result: result as JanitorResult, workflowId };
  }

  /** Starts a slow task on PR `number` and waits for the agent to be at work in its workspace. */
  async function startSlowTask(number: number): Promise<string> {
    const response = await h.comment('@agent review this slowly', { number });
    assert.equal(response.status, 202);
    const taskId = String(response.body['task_id']);
    await waitFor(`the agent of #${number} to print a line`, () => fs.existsSync(path.join(taskLog(taskId), 'stream.jsonl')) && fs.readFileSync(path.join(taskLog(taskId), 'stream.jsonl'), 'utf8').includes('working 1/'));
    assert.ok(fs.existsSync(workspace(number)));
    return taskId;
  }

  async function cancelTask(number: number): Promise<void> {
    await client().workflow.getHandle(h.taskId(tasks[number]!, number)).cancel();
    await waitFor(`the cancelled task of #${number} in its status`, async () => (await h.status(number)).past[0]?.outcome === 'cancelled');
  }

  /** Makes a folder look untouched for two days, files and folders alike. */
  function ageFolder(dir: string): void {
    const old = new Date(Date.now() - 2 * DAY);
    for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) fs.utimesSync(path.join(entry.parentPath, entry.name), old, old);
    fs.utimesSync(dir, old, old);
  }

  before(async () => {
    h = await Harness.start({
      agent: 'slow.js',
      env: { SLOW_AGENT_SECONDS: '150', AGENT_ENV_PASSTHROUGH: 'SLOW_AGENT_SECONDS', AGENT_MAX_CONCURRENT: '4', JANITOR_RETENTION: '1s', JANITOR_IDLE_CLOSE: '1h' },
    });
    // #51 goes stale: its task is cancelled and the PR closed, so its target workflow completes.
    // #52 stays live: an idle target. #53 has a task still running.
    for (const number of [51, 52, 53]) tasks[number] = await startSlowTask(number);
    await cancelTask(51);
    await cancelTask(52);
    const closed = githubFixture<{ number: number; repository: { name: string } }>('pull_request.closed');
    closed.number = 51;
    closed.repository.name = h.repo;
    assert.equal((await sendGithubDelivery(h.gateway.url, { event: 'pull_request', payload: closed })).status, 202);
    await h.target(51).result();
    // Folders nothing in Temporal knows about, untouched for two days.
    fs.mkdirSync(workspace(99), { recursive: true });
    fs.writeFileSync(path.join(workspace(99), 'left-over.txt'), 'x'.repeat(1000));
    ageFolder(workspace(99));
    fs.mkdirSync(orphanLog(), { recursive: true });
    fs.writeFileSync(path.join(orphanLog(), 'stream.jsonl'), '{}\n');
    ageFolder(orphanLog());
    // Past the 1 s retention.
    await new Promise((resolve) => setTimeout(resolve, 1500));
  });

  after(async () => {
    await client().schedule.getHandle(janitorScheduleId(h.taskQueue, h.config.AGENT_WORKER_ID)).delete().catch(() => {});
    await h.stop();
  });

  const stale = () => [workspace(51), workspace(99), taskLog(tasks[51]!), taskLog(tasks[52]!), orphanLog()].sort();
  const keptReason = (result: JanitorResult, dir: string) => result.keptFolders.find((item) => item.path === dir)?.reason;

  it('in a dry run, lists the stale folders and keeps the live and running ones, deleting nothing', async () => {
    const { result } = await runJanitor({ dryRun: true, retentionMs: 1000, idleCloseMs: HOUR });
    assert.equal(result.dryRun, true);
    assert.deepEqual(result.removed.map((item) => item.path).sort(), stale());
    assert.match(result.removed.find((item) => item.path === workspace(51))!.reason, /^closed \d+s ago$/);
    assert.match(result.removed.find((item) => item.path === taskLog(tasks[52]!))!.reason, /^closed \d+s ago$/);
    assert.match(result.removed.find((item) => item.path === workspace(99))!.reason, /^no workflow record, untouched for 2d/);
    assert.equal(result.removed.find((item) => item.path === workspace(99))!.bytes, 1000);
    assert.equal(result.freedBytes, result.removed.reduce((sum, item) => sum + item.bytes, 0));
    assert.equal(keptReason(result, workspace(52)), KEEP.targetActive);
    assert.equal(keptReason(result, workspace(53)), KEEP.taskRunning);
    assert.equal(keptReason(result, taskLog(tasks[53]!)), KEEP.taskRunning);
    assert.deepEqual(result.kept, { workspaces: 2, logs: 1, byReason: { [KEEP.targetActive]: 1, [KEEP.taskRunning]: 2 } });
    assert.deepEqual(result.closedTargets, []);
    for (const dir of stale()) assert.ok(fs.existsSync(dir), `${dir} was deleted by a dry run`);
  });

  it('keeps what closed within the retention, but not folders with no record that nobody touched for longer', async () => {
    const { result } = await runJanitor({ dryRun: true, retentionMs: DAY, idleCloseMs: HOUR });
    assert.deepEqual(result.removed.map((item) => item.path).sort(), [workspace(99), orphanLog()].sort());
    assert.equal(keptReason(result, workspace(51)), KEEP.closedRecently);
    assert.equal(keptReason(result, taskLog(tasks[51]!)), KEEP.closedRecently);
  });

  it('removes a stale workspace and logs, keeps a live one and a running task\'s, and reports it in the result and the UI', async () => {
    const { result, workflowId } = await runJanitor({ retentionMs: 1000, idleCloseMs: HOUR });
    assert.equal(result.dryRun, false);
    assert.deepEqual(result.removed.map((item) => item.path).sort(), stale());
    assert.ok(result.freedBytes >= 1000, `freed ${result.freedBytes} bytes`);
    assert.deepEqual(result.skipped, []);
    for (const dir of stale()) assert.ok(!fs.existsSync(dir), `${dir} is still there`);
    for (const dir of [workspace(52), workspace(53), taskLog(tasks[53]!)]) assert.ok(fs.existsSync(dir), `${dir} was removed`);
    assert.ok(fs.readFileSync(path.join(taskLog(tasks[53]!), 'stream.jsonl'), 'utf8').includes('working'));
    assert.equal((await client().workflow.getHandle(h.taskId(tasks[53]!, 53)).describe()).status.name, 'RUNNING');

    const metadata = await client().workflow.getHandle(workflowId).query<{ currentDetails?: string }>('__temporal_workflow_metadata');
    assert.match(metadata.currentDetails ?? '', /\*\*Removed:\*\* 5 folders/);
    assert.ok(metadata.currentDetails?.includes(workspace(51)), metadata.currentDetails);
  });

  it('closes a target idle longer than JANITOR_IDLE_CLOSE (and only lists it in a dry run), never one with a running task', async () => {
    const dry = await runJanitor({ dryRun: true, retentionMs: DAY, idleCloseMs: 1 });
    assert.deepEqual(dry.result.closedTargets.map((target) => target.workflowId), [h.targetId(52)]);
    assert.equal((await h.target(52).describe()).status.name, 'RUNNING');

    const { result } = await runJanitor({ retentionMs: DAY, idleCloseMs: 1 });
    assert.deepEqual(result.closedTargets.map((target) => target.workflowId), [h.targetId(52)]);
    assert.equal(keptReason(result, workspace(52)), KEEP.targetIdleClosing);
    const closed = (await h.target(52).result()) as { phase: string };
    assert.equal(closed.phase, 'closing');
    assert.ok(fs.existsSync(workspace(52)), 'the workspace of a target closed now goes after the retention, not at once');
    assert.equal((await h.target(53).describe()).status.name, 'RUNNING');
  });

  it('npm run janitor -- --dry-run prints what would go, and gives up clearly when no worker runs', async () => {
    const dry = await runScript(['--dry-run'], h.processEnv());
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /dry run: nothing was deleted or closed/);
    assert.match(dry.stdout, /would remove \d+ folders/);
    assert.ok(fs.existsSync(workspace(52)));

    const nobody = `nobody-${randomUUID()}`;
    const lonely = await runScript(['--wait', '2s'], { ...h.processEnv(), TEMPORAL_TASK_QUEUE: nobody });
    assert.equal(lonely.code, 1);
    assert.match(lonely.stderr, new RegExp(`no worker picked the janitor up within 2s on task queue "${nobody}"`));
    const [run] = await waitFor('the abandoned run in the list', async () => {
      const runs = [];
      for await (const execution of client().workflow.list({ query: `WorkflowId STARTS_WITH "${janitorScheduleId(nobody, h.config.AGENT_WORKER_ID)}/manual-"` })) runs.push(execution);
      return runs.length > 0 ? runs : undefined;
    });
    assert.equal(run!.status.name, 'TERMINATED', 'a run nobody picked up must not clean up later, unasked');
  });

  it('the schedule exists once after two worker starts, with the configured cron, SKIP overlap and settings', async () => {
    const scheduleId = janitorScheduleId(h.taskQueue, h.config.AGENT_WORKER_ID);
    const handle = client().schedule.getHandle(scheduleId);
    // An operator's pause must survive a restart; a changed config must be applied by it.
    await handle.pause('paused by an operator');
    await h.stopWorkers();
    h.config = { ...h.config, JANITOR_SCHEDULE: 'CRON_TZ=Europe/Paris 30 4 * * *', JANITOR_RETENTION: 2 * DAY };
    await h.startWorkers();

    const count = async () => {
      let found = 0;
      for await (const schedule of client().schedule.list()) if (schedule.scheduleId === scheduleId) found++;
      return found;
    };
    await waitFor('the schedule in the list', async () => (await count()) > 0);
    assert.equal(await count(), 1);

    const description = await handle.describe();
    assert.equal(description.state.paused, true);
    assert.equal(description.policies.overlap, ScheduleOverlapPolicy.SKIP);
    assert.equal(description.spec.timezone, 'Europe/Paris');
    assert.deepEqual(
      description.spec.calendars?.map(({ hour, minute }) => ({ hour, minute })),
      [{ hour: [{ start: 4, end: 4, step: 1 }], minute: [{ start: 30, end: 30, step: 1 }] }],
    );
    assert.equal(description.action.workflowType, 'janitorWorkflow');
    assert.equal(description.action.taskQueue, h.taskQueue);
    // Its activities run on this worker's own queue: it cleans this worker's data dir.
    assert.deepEqual(description.action.args, [{ retentionMs: 2 * DAY, idleCloseMs: HOUR, activityTaskQueue: workerAgentTaskQueue(h.taskQueue, h.config.AGENT_WORKER_ID) }]);

    // The schedule's own action runs the janitor on this worker.
    await handle.unpause();
    await handle.trigger();
    const started = await waitFor('the triggered run', async () => (await handle.describe()).info.recentActions[0]?.action.workflow.workflowId);
    const result = (await client().workflow.getHandle(started).result()) as JanitorResult;
    assert.equal(result.retentionMs, 2 * DAY);
    assert.equal(result.dryRun, false);
  });
});

function runScript(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', 'janitor.ts'), ...args], {
      cwd: ROOT,
      env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}
