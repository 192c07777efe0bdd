import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { commandLine, groupRunning, isRunning } from './process-table';
import { safeSegment } from './task-log';

/** How often the supervisor touches its lease while the agent runs, in ms. */
export const LEASE_REFRESH_MS = 2_000;
/**
 * A lease from another machine untouched for this long (ms) is taken over: its supervisor is gone (or its
 * machine is). Five refreshes, so a busy machine is not mistaken for a dead one. Machines that share the
 * data dir need clocks in sync to well under this.
 */
export const LEASE_STALE_MS = 10_000;
/** How often a waiting attempt looks at the lease and the process table again, in ms. */
const POLL_MS = 200;

/** What a lease file holds: who runs the agent of one workspace. */
export interface LeaseRecord {
  /** The workspace's key: the thread's workflow id, e.g. `github:acme/widgets#42`. */
  key: string;
  taskId: string;
  /** The activity attempt that holds it. */
  attempt: number;
  /** `os.hostname()` of the holder. */
  host: string;
  /** The supervisor, leader of the agent's process group; the worker's own pid until it has started. */
  pid: number;
  /** Random, per attempt; also on the supervisor's command line (see supervisor.js). */
  token: string;
  acquiredAt: string;
}

/** A lease this attempt holds. */
export interface HeldLease {
  readonly file: string;
  readonly token: string;
  /** How often the supervisor must refresh it, in ms. */
  readonly refreshMs: number;
  /** Names the supervisor that now holds the lease, so that another attempt on this machine can stop it. */
  adopt(pid: number): void;
  /** Removes the lease file if it is still ours. Safe to call more than once. */
  release(): void;
}

/** Why `acquireLease` is not done yet: told once per holder and kind, not on every look. */
export type LeaseWait =
  | { kind: 'stopping'; holder: LeaseRecord }
  | { kind: 'waiting'; holder: LeaseRecord | undefined };

export interface AcquireLeaseOptions {
  dataDir: string;
  key: string;
  taskId: string;
  attempt: number;
  /** Time between SIGTERM and SIGKILL when stopping an earlier attempt on this machine, in ms. */
  killGraceMs: number;
  /** Default LEASE_STALE_MS. */
  staleMs?: number;
  /** Default LEASE_REFRESH_MS; must be well under the stale time of every machine. */
  refreshMs?: number;
  /** Default `os.hostname()`. */
  host?: string;
  /** Stops the wait: the activity was cancelled. */
  signal?: AbortSignal;
  onWait?: (wait: LeaseWait) => void;
}

/** `$AGENT_BOT_DATA_DIR/leases/<key, path-safe>-<hash>.json`: the hash keeps keys that clean alike apart. */
export function leasePath(dataDir: string, key: string): string {
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 12);
  return path.join(dataDir, 'leases', `${safeSegment(key).slice(0, 100)}-${hash}.json`);
}

/**
 * Makes this attempt the only one that may run an agent in the workspace `key`. An earlier attempt's
 * lease is dealt with first: on this machine, a live supervisor holding it has its process group stopped
 * (SIGTERM, `killGraceMs`, SIGKILL) and the call waits until the group is gone; a dead holder's lease is
 * taken at once. A lease from another machine (or one whose holder cannot be checked) is waited for until
 * it is released or has not been refreshed for `staleMs`. Every wait is reported through `onWait`.
 *
 * @throws Error when `signal` aborts the wait (the `cause` is the signal's reason), or when the lease
 *   folder cannot be written.
 */
export async function acquireLease(options: AcquireLeaseOptions): Promise<HeldLease> {
  const file = leasePath(options.dataDir, options.key);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const host = options.host ?? os.hostname();
  const staleMs = options.staleMs ?? LEASE_STALE_MS;
  const token = randomUUID();
  let told = '';
  const tell = (wait: LeaseWait): void => {
    const said = `${wait.kind} ${wait.holder?.token ?? ''}`;
    if (said === told) return;
    told = said;
    options.onWait?.(wait);
  };
  const cancelled = (): Error => new Error('stopped waiting for the workspace lease: the run was cancelled', { cause: options.signal?.reason });
  const pause = async (ms: number): Promise<void> => {
    try {
      await sleep(ms, undefined, { signal: options.signal });
    } catch {
      throw cancelled();
    }
  };

  for (;;) {
    if (options.signal?.aborted === true) throw cancelled();
    const record: LeaseRecord = { key: options.key, taskId: options.taskId, attempt: options.attempt, host, pid: process.pid, token, acquiredAt: new Date().toISOString() };
    if (createExclusive(file, record)) return heldLease(file, token, options.refreshMs ?? LEASE_REFRESH_MS);

    const found = readLease(file);
    if (found === undefined) continue; // released since our try
    const holder = found.record;
    if (holder !== undefined && holder.host === host && !isRunning(holder.pid)) {
      removeIfUnchanged(file, found); // its supervisor died: nothing of it runs
      continue;
    }
    if (holder !== undefined && holder.host === host && commandLine(holder.pid)?.includes(holder.token) === true) {
      tell({ kind: 'stopping', holder });
      await stopGroup(holder.pid, options.killGraceMs, pause);
      removeIfUnchanged(file, found);
      continue;
    }
    // Another machine, a pid now used by something else, or a file being written: only time tells.
    if (Date.now() - found.mtimeMs > staleMs) {
      removeIfUnchanged(file, found);
      continue;
    }
    tell({ kind: 'waiting', holder });
    await pause(POLL_MS);
  }
}

interface FoundLease {
  /** Undefined when the file cannot be parsed (being written, or left empty by a crash). */
  record: LeaseRecord | undefined;
  mtimeMs: number;
  ino: number;
}

function readLease(file: string): FoundLease | undefined {
  try {
    const stat = fs.statSync(file);
    const text = fs.readFileSync(file, 'utf8');
    let record: LeaseRecord | undefined;
    try {
      record = JSON.parse(text) as LeaseRecord;
    } catch {
      record = undefined;
    }
    return { record, mtimeMs: stat.mtimeMs, ino: stat.ino };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** `wx`: fails if the file exists, so of two attempts creating it at once exactly one wins. */
function createExclusive(file: string, record: LeaseRecord): boolean {
  let fd: number;
  try {
    fd = fs.openSync(file, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    fs.writeSync(fd, JSON.stringify(record));
  } finally {
    fs.closeSync(fd);
  }
  return true;
}

/**
 * Removes the lease we judged, not one that replaced it meanwhile (a new file has a new inode, an adopted
 * one too). Two attempts judging the same lease at the same instant can still race here; Temporal runs one
 * attempt of an activity at a time, so that takes a retry that outlived its own timeout.
 */
function removeIfUnchanged(file: string, judged: FoundLease): void {
  const now = readLease(file);
  if (now === undefined || now.ino !== judged.ino || now.record?.token !== judged.record?.token) return;
  fs.rmSync(file, { force: true });
}

/** SIGTERM to the group, up to `graceMs` for it to go, then SIGKILL and wait until it is gone. */
async function stopGroup(pgid: number, graceMs: number, pause: (ms: number) => Promise<void>): Promise<void> {
  const signal = (name: NodeJS.Signals): void => {
    try {
      process.kill(-pgid, name);
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (groupRunning(pgid) && Date.now() < deadline) await pause(Math.min(POLL_MS, graceMs));
  if (!groupRunning(pgid)) return;
  signal('SIGKILL');
  while (groupRunning(pgid)) await pause(POLL_MS);
}

function heldLease(file: string, token: string, refreshMs: number): HeldLease {
  const ours = (): LeaseRecord | undefined => {
    const found = readLease(file);
    return found?.record?.token === token ? found.record : undefined;
  };
  return {
    file,
    token,
    refreshMs,
    adopt(pid) {
      const record = ours();
      if (record === undefined) return;
      // Write aside, then rename: a reader sees the old record or the new one, never half of one.
      const next = `${file}.${token}.tmp`;
      fs.writeFileSync(next, JSON.stringify({ ...record, pid }));
      fs.renameSync(next, file);
    },
    release() {
      if (ours() !== undefined) fs.rmSync(file, { force: true });
    },
  };
}
