import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { AGENTS_DIR, Harness } from '../support/harness';
import { replayClosedWorkflows } from '../support/replay';
import { testTemporal } from '../support/temporal';
import { waitFor } from '../support/wait';

const ROOT = path.resolve(__dirname, '..', '..');

interface ClaudeRun {
  args: string[];
  cwd: string;
  configDir: string;
}

/** A worker process of its own (`npm run start:worker`), with its own data dir unless told otherwise. */
function startWorker(env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'workers', 'worker.ts')], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr?.resume();
  return child;
}

function runsIn(log: string): ClaudeRun[] {
  return fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as ClaudeRun) : [];
}

const resumed = (run: ClaudeRun): string | undefined => (run.args.includes('--resume') ? run.args[run.args.indexOf('--resume') + 1] : undefined);

describe('a thread follows its workspace and agent session across workers', function () {
  this.timeout(240_000);
  let h: Harness;
  let root: string;
  let log: string;
  const workers: ChildProcess[] = [];

  const workerEnv = (id: string, dataDir: string): Record<string, string> => ({
    ...h.processEnv(),
    AGENT_WORKER_ID: id,
    AGENT_BOT_DATA_DIR: dataDir,
    CLAUDE_CONFIG_DIR: path.join(dataDir, 'claude-config'),
    FAKE_CLAUDE_LOG: log,
  });

  before(async () => {
    root = fs.mkdtempSync(path.join(testTemporal().dataDir, 'affinity-'));
    log = path.join(root, 'claude-runs.jsonl');
    h = await Harness.start({
      startWorker: false,
      env: {
        AGENT_KIND: 'claude',
        AGENT_COMMAND: path.join(AGENTS_DIR, 'fake-claude.js'),
        AGENT_ARGS: '[]',
        AGENT_ENV_PASSTHROUGH: 'FAKE_CLAUDE_LOG',
        AGENT_STICKY_WAIT: '5s',
        AGENT_MCP: 'false',
      },
    });
  });
  after(async () => {
    for (const worker of workers) worker.kill('SIGKILL');
    await h.stop();
  });

  /** Sends a command and waits for its answer (the nth result comment on the PR). */
  async function ask(request: string, number: number, nth: number) {
    await h.comment(`@agent ${request}`, { number });
    return waitFor(`answer ${nth}`, () => h.commentsOn(number)[nth - 1], 90_000);
  }

  it('with separate data dirs: sticks to one worker, then moves on when it dies, restarting the session and saying so', async () => {
    const dirs = { 'worker-a': path.join(root, 'a'), 'worker-b': path.join(root, 'b') };
    const byId = new Map<string, ChildProcess>();
    for (const [id, dir] of Object.entries(dirs)) {
      const worker = startWorker(workerEnv(id, dir));
      workers.push(worker);
      byId.set(id, worker);
    }

    await ask('summarize the design', 90, 1);
    await ask('and the cache?', 90, 2);
    await ask('and the queue?', 90, 3);
    const [first, second, third] = runsIn(log);
    assert.ok(first && second && third);
    const session = first.args.includes('--resume') ? undefined : 'new';
    assert.equal(session, 'new', 'the first run starts a session');
    assert.equal(second.configDir, first.configDir, 'the second run is on the first run\'s worker');
    assert.equal(third.configDir, first.configDir, 'and so is the third');
    assert.ok(resumed(second) !== undefined && resumed(second) === resumed(third), 'both resume the one session');
    const holder = first.configDir.startsWith(dirs['worker-a']) ? 'worker-a' : 'worker-b';
    const other = holder === 'worker-a' ? 'worker-b' : 'worker-a';
    // The conversation records where a task ran once the task workflow ends, just after its answer is posted.
    await waitFor('the status to name the worker holding the thread', async () => (await h.status(90)).past.length === 3 && (await h.status(90)).agentWorker === holder);
    // What the Temporal UI shows as the conversation's Current Details (its built-in metadata query).
    const metadata = await h.target(90).query<{ currentDetails?: string }>('__temporal_workflow_metadata');
    assert.match(metadata.currentDetails ?? '', new RegExp(`worker \`${holder}\``));

    byId.get(holder)!.kill('SIGKILL');
    const moved = await ask('now what about retries?', 90, 4);
    const fourth = runsIn(log)[3]!;
    assert.ok(fourth.configDir.startsWith(dirs[other]), 'the fourth run is on the other worker');
    assert.ok(fourth.cwd.startsWith(dirs[other]), 'in a fresh workspace there');
    assert.equal(resumed(fourth), undefined, 'with a new session');
    assert.match(fourth.args[fourth.args.indexOf('-p') + 1] ?? '', /Earlier on this thread[\s\S]*summarize the design/, 'told what the thread asked before');
    assert.match(moved.body, /new session started/);
    await waitFor('the thread to stick to the other worker', async () => (await h.status(90)).agentWorker === other);

    await ask('thanks, one more', 90, 5);
    const fifth = runsIn(log)[4]!;
    assert.equal(fifth.configDir, fourth.configDir);
    assert.ok(resumed(fifth) !== undefined, 'and resumes the new session there');
  });

  it('with a shared data dir: does not pin, and a follow-up resumes the session on whichever worker takes it', async () => {
    for (const worker of workers.splice(0)) worker.kill('SIGKILL');
    const shared = path.join(root, 'shared');
    const a = startWorker(workerEnv('shared-a', shared));
    const b = startWorker(workerEnv('shared-b', shared));
    workers.push(a, b);
    // Each worker sees the other's registration in the shared data dir.
    await waitFor('both workers registered', () => fs.existsSync(path.join(shared, 'workers', 'shared-a.json')) && fs.existsSync(path.join(shared, 'workers', 'shared-b.json')), 60_000);
    const before = runsIn(log).length;
    await ask('explain the build', 91, 1);
    const first = await waitFor('the first task recorded', async () => ((await h.status(91)).past.length === 1 ? h.status(91) : undefined));
    assert.equal(first.agentWorker, undefined, 'not pinned to a worker');
    a.kill('SIGKILL');
    const followUp = await ask('and the tests?', 91, 2);
    const runs = runsIn(log).slice(before);
    assert.equal(runs.length, 2);
    assert.ok(resumed(runs[1]!) !== undefined, 'the follow-up resumed the session');
    assert.doesNotMatch(followUp.body, /new session started/);
  });

  it('leaves histories (sticky runs, a run moved off a dead worker) that replay without determinism errors', async () => {
    const replayed = await replayClosedWorkflows(h.repo, 'affinity');
    assert.ok(replayed >= 5, `replayed only ${replayed}`);
  });
});
