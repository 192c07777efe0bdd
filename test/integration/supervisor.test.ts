import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnAgentProcess, type SpawnedAgent } from '../../activities/agent/process-group';
import { groupRunning, isRunning } from '../../activities/agent/process-table';
import { familyOf, familyPidFile, startFamily } from '../support/family';
import { AGENTS_DIR } from '../support/harness';
import { waitFor } from '../support/wait';

const ROOT = path.resolve(__dirname, '..', '..');
const BASE_ENV = { PATH: process.env['PATH'] ?? '' };

/** What the agent printed on stdout, in full once `exited` has settled. */
function collect(agent: SpawnedAgent): { text: string } {
  const out = { text: '' };
  agent.child.stdout?.on('data', (chunk: Buffer) => (out.text += chunk.toString('utf8')));
  agent.child.stderr?.resume();
  return out;
}

function startNode(source: string, options: { stdin?: string } = {}): SpawnedAgent {
  return spawnAgentProcess(process.execPath, ['-e', source], { cwd: os.tmpdir(), env: BASE_ENV, killGraceMs: 5_000, ...options });
}

/** A stand-in worker in a process of its own, running `family.js`; resolves with the supervisor's pid. */
async function startWorkerStandIn(env: Record<string, string>, killGraceMs: number): Promise<{ worker: ChildProcess; supervisor: number }> {
  const spec = { command: process.execPath, args: [path.join(AGENTS_DIR, 'family.js')], env: { ...BASE_ENV, ...env }, killGraceMs };
  const worker = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test', 'support', 'agent-parent.ts'), JSON.stringify(spec)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const supervisor = await new Promise<number>((resolve, reject) => {
    worker.stdout?.once('data', (chunk: Buffer) => resolve((JSON.parse(chunk.toString('utf8')) as { supervisor: number }).supervisor));
    worker.once('exit', (code) => reject(new Error(`the stand-in worker exited (${code})`)));
  });
  return { worker, supervisor };
}

describe('the agent supervisor', function () {
  this.timeout(30_000);
  const workers: ChildProcess[] = [];
  const groups: number[] = [];
  after(() => {
    for (const worker of workers) worker.kill('SIGKILL');
    // Only matters when a test failed: what the supervisor should have killed must not outlive the run.
    for (const group of groups.filter(groupRunning)) process.kill(-group, 'SIGKILL');
  });

  for (const [name, env, graceMs] of [
    ['stops the agent and its grandchild when the worker is killed with SIGKILL', {}, 5_000],
    ['kills an agent that ignores SIGTERM after the grace period, when the worker is killed with SIGKILL', { FAMILY_IGNORE_TERM: '1' }, 500],
  ] as const) {
    it(name, async () => {
      const pidFile = familyPidFile();
      const { worker, supervisor } = await startWorkerStandIn({ FAMILY_PID_FILE: pidFile, ...env }, graceMs);
      workers.push(worker);
      groups.push(supervisor);
      const family = await familyOf(pidFile);
      assert.equal(family.pgid, supervisor, 'the agent runs in the group the supervisor leads');
      const pids = [supervisor, family.agent, family.grandchild];
      assert.deepEqual(pids.filter(isRunning), pids, 'all three run before the worker dies');

      worker.kill('SIGKILL');
      await waitFor('the supervisor, the agent and its grandchild to be gone', () => !pids.some(isRunning) && !groupRunning(supervisor), 15_000);
    });
  }

  it("exits with the agent's exit code", async () => {
    assert.deepEqual(await startNode('process.exit(7)').exited, { code: 7, signal: null });
  });

  it('dies of the signal that killed the agent (TERM, KILL)', async () => {
    for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
      const agent = spawnAgentProcess('sh', ['-c', `kill -${signal.slice(3)} $$`], { cwd: os.tmpdir(), env: BASE_ENV });
      assert.deepEqual(await agent.exited, { code: null, signal });
    }
  });

  it('reports a signal it does not re-raise as exit code 128 + its number', async () => {
    const agent = spawnAgentProcess('sh', ['-c', 'kill -USR1 $$'], { cwd: os.tmpdir(), env: BASE_ENV });
    assert.deepEqual(await agent.exited, { code: 128 + os.constants.signals.SIGUSR1, signal: null });
  });

  it("outlives a SIGTERM to the group: the agent tidies up, and its exit code is reported", async () => {
    const { agent, output } = await startFamily({ env: { FAMILY_ON_TERM_EXIT: '3' }, killGraceMs: 10_000 });
    agent.kill(10_000);
    assert.deepEqual(await agent.exited, { code: 3, signal: null });
    assert.match(output.text, /SIGTERM: tidying up\ntidied up\n/);
  });

  it('rejects with ENOENT for a command that does not exist, and EACCES for one that cannot run', async () => {
    const missing = spawnAgentProcess('/nonexistent/agent', [], { cwd: os.tmpdir(), env: BASE_ENV });
    await assert.rejects(missing.exited, (error: NodeJS.ErrnoException) => error.code === 'ENOENT');
    const notExecutable = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'agent-bot-supervisor-')), 'agent.sh');
    fs.writeFileSync(notExecutable, '#!/bin/sh\necho hi\n', { mode: 0o644 });
    const denied = spawnAgentProcess(notExecutable, [], { cwd: os.tmpdir(), env: BASE_ENV });
    await assert.rejects(denied.exited, (error: NodeJS.ErrnoException) => error.code === 'EACCES');
  });

  it('delivers the prompt on stdin to the agent', async () => {
    const agent = spawnAgentProcess(process.execPath, [path.join(AGENTS_DIR, 'echo-stdin.js')], { cwd: os.tmpdir(), env: BASE_ENV, stdin: 'the prompt\nsecond line' });
    const out = collect(agent);
    assert.deepEqual(await agent.exited, { code: 0, signal: null });
    assert.equal(out.text, 'stdin: the prompt\nsecond line\n');
  });

  it('does not hand the lifeline to the agent', async () => {
    const { agent, family } = await startFamily();
    try {
      const lifeline = fs.readlinkSync(`/proc/${agent.child.pid}/fd/3`);
      assert.match(lifeline, /^socket:\[\d+\]$/);
      assert.ok(!Object.values(family.fds).includes(lifeline), `the agent holds the lifeline: ${JSON.stringify(family.fds)}`);
      assert.equal(family.fds['1'], fs.readlinkSync(`/proc/${agent.child.pid}/fd/1`), "the agent writes into the worker's own pipe");
    } finally {
      agent.kill(1_000);
      await agent.exited;
    }
  });

  it('gives the agent its NODE_OPTIONS and keeps them from the supervisor', async () => {
    // The agent reads its own environment, and the one its parent, the supervisor, started with.
    const source = `const parent = require('fs').readFileSync('/proc/' + process.ppid + '/environ', 'utf8').split('\\0');
      console.log(JSON.stringify({ own: process.env.NODE_OPTIONS, supervisor: parent.find((v) => v.startsWith('NODE_OPTIONS=')) ?? null }));`;
    const agent = spawnAgentProcess(process.execPath, ['-e', source], { cwd: os.tmpdir(), env: { ...BASE_ENV, NODE_OPTIONS: '--max-old-space-size=100' } });
    const out = collect(agent);
    assert.deepEqual(await agent.exited, { code: 0, signal: null });
    assert.deepEqual(JSON.parse(out.text), { own: '--max-old-space-size=100', supervisor: null });
  });
});
