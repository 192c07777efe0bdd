import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { acquireLease, leasePath, type AcquireLeaseOptions, type LeaseRecord, type LeaseWait } from '../../activities/agent/lease';
import type { SpawnedAgent } from '../../activities/agent/process-group';
import { groupRunning, isRunning } from '../../activities/agent/process-table';
import { startFamily } from '../support/family';
import { waitFor } from '../support/wait';

const KEY = 'github:acme/widgets#42';

function options(dataDir: string, extra: Partial<AcquireLeaseOptions> = {}): AcquireLeaseOptions {
  return { dataDir, key: KEY, taskId: 'task-1', attempt: 1, killGraceMs: 1_000, ...extra };
}

function readRecord(file: string): LeaseRecord {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as LeaseRecord;
}

/** A pid that belonged to a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn('true');
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

describe('the workspace lease', function () {
  this.timeout(30_000);
  let dataDir: string;
  let file: string;
  const running: SpawnedAgent[] = [];
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-bot-lease-'));
    file = leasePath(dataDir, KEY);
  });
  afterEach(async () => {
    for (const agent of running.splice(0)) {
      agent.kill(500);
      await agent.exited.catch(() => undefined);
    }
  });

  it('is a JSON file under leases/, named after the key made path-safe', async () => {
    const lease = await acquireLease(options(dataDir));
    assert.equal(path.dirname(lease.file), path.join(dataDir, 'leases'));
    assert.match(path.basename(lease.file), /^github_acme_widgets_42-[0-9a-f]{12}\.json$/);
    assert.notEqual(leasePath(dataDir, 'github:acme/widgets_42'), lease.file, 'keys that clean alike stay apart');
    const record = readRecord(lease.file);
    assert.deepEqual({ ...record, acquiredAt: undefined }, { key: KEY, taskId: 'task-1', attempt: 1, host: os.hostname(), pid: process.pid, token: lease.token, acquiredAt: undefined });
  });

  it("a second attempt on this machine stops the live supervisor that holds it, then takes it", async () => {
    const first = await acquireLease(options(dataDir, { refreshMs: 200 }));
    const { agent, pids } = await startFamily({ lease: first });
    running.push(agent);
    assert.equal(readRecord(file).pid, agent.child.pid, 'the lease names the supervisor');

    const waits: LeaseWait[] = [];
    const second = await acquireLease(options(dataDir, { attempt: 2, onWait: (wait) => waits.push(wait) }));
    assert.deepEqual(
      waits.map((w) => [w.kind, w.holder?.pid]),
      [['stopping', agent.child.pid]],
    );
    assert.deepEqual(pids.filter(isRunning), [], 'the first attempt is gone when the second gets the lease');
    assert.equal(groupRunning(agent.child.pid!), false);
    assert.deepEqual(await agent.exited, { code: null, signal: 'SIGTERM' });
    assert.equal(readRecord(file).token, second.token, "the first attempt's release left the new lease alone");
    assert.equal(readRecord(file).attempt, 2);
  });

  it('a lease left on this machine by a process that has exited is taken at once', async () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const stale: LeaseRecord = { key: KEY, taskId: 'task-1', attempt: 1, host: os.hostname(), pid: await deadPid(), token: 'gone', acquiredAt: new Date().toISOString() };
    fs.writeFileSync(file, JSON.stringify(stale));
    const waits: LeaseWait[] = [];
    const lease = await acquireLease(options(dataDir, { attempt: 2, staleMs: 600_000, onWait: (wait) => waits.push(wait) }));
    assert.deepEqual(waits, [], 'no wait for a holder known to be dead');
    assert.equal(readRecord(file).token, lease.token);
  });

  it('a lease from another machine is taken only once it has not been refreshed for staleMs', async () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const foreign: LeaseRecord = { key: KEY, taskId: 'task-1', attempt: 1, host: 'other-machine', pid: process.pid, token: 'theirs', acquiredAt: new Date().toISOString() };
    fs.writeFileSync(file, JSON.stringify(foreign));
    const lastRefresh = fs.statSync(file).mtimeMs;
    const waits: LeaseWait[] = [];
    const lease = await acquireLease(options(dataDir, { attempt: 2, staleMs: 1_000, onWait: (wait) => waits.push(wait) }));
    assert.ok(Date.now() - lastRefresh >= 1_000, `taken ${Date.now() - lastRefresh} ms after its last refresh`);
    assert.deepEqual(
      waits.map((w) => [w.kind, w.holder?.host]),
      [['waiting', 'other-machine']],
    );
    assert.equal(readRecord(file).token, lease.token);
  });

  it("a lease another machine's supervisor keeps fresh is not taken, and cancelling ends the wait", async () => {
    const holder = await acquireLease(options(dataDir, { host: 'other-machine', refreshMs: 100 }));
    const { agent } = await startFamily({ lease: holder });
    running.push(agent);
    const staleMs = 600;
    const controller = new AbortController();
    const startedAt = Date.now();
    let settled = false;
    const contender = acquireLease(options(dataDir, { attempt: 2, staleMs, signal: controller.signal }));
    contender.then(
      () => (settled = true),
      () => (settled = true),
    );
    await waitFor('the holder to keep its lease fresh for three stale periods', () => fs.statSync(file).mtimeMs - startedAt >= 3 * staleMs);
    assert.equal(settled, false, 'the contender still waits');
    assert.equal(readRecord(file).token, holder.token);
    controller.abort();
    await assert.rejects(contender, /stopped waiting for the workspace lease: the run was cancelled/);
  });

  it('release removes the lease only while it is ours', async () => {
    const lease = await acquireLease(options(dataDir));
    fs.writeFileSync(file, JSON.stringify({ ...readRecord(file), token: 'taken-over' }));
    lease.release();
    assert.equal(readRecord(file).token, 'taken-over');
    fs.rmSync(file);
    const next = await acquireLease(options(dataDir, { attempt: 2 }));
    next.release();
    assert.equal(fs.existsSync(file), false);
  });

  it('the supervisor keeps its lease fresh while the agent runs, and removes it when the agent exits', async () => {
    const lease = await acquireLease(options(dataDir, { refreshMs: 100 }));
    // Only the supervisor may remove it here: the worker's own release does nothing.
    const { agent } = await startFamily({ lease: { file: lease.file, token: lease.token, refreshMs: lease.refreshMs, adopt: (pid) => lease.adopt(pid), release: () => {} } });
    const createdAt = fs.statSync(file).mtimeMs;
    await waitFor('the supervisor to refresh the lease', () => fs.statSync(file).mtimeMs > createdAt);
    agent.kill(1_000);
    await agent.exited;
    assert.equal(fs.existsSync(file), false);
  });

  it('the supervisor stops its agent when another attempt has taken its lease', async () => {
    const lease = await acquireLease(options(dataDir, { refreshMs: 100 }));
    const { agent, pids } = await startFamily({ lease });
    running.push(agent);
    // What a takeover from another machine leaves: the same path, another token.
    fs.writeFileSync(`${file}.next`, JSON.stringify({ ...readRecord(file), host: 'other-machine', token: 'theirs' }));
    fs.renameSync(`${file}.next`, file);
    const exit = await agent.exited;
    assert.equal(exit.signal, 'SIGKILL', 'the supervisor ends its whole group, itself included');
    await waitFor('the agent and its grandchild to be gone', () => !pids.some(isRunning));
    assert.equal(readRecord(file).token, 'theirs', 'the new holder keeps its lease');
  });
});
