import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { HeldLease } from './lease';
import { forEachLine } from './line-splitter';

export interface SpawnedAgent {
  /** The supervisor (see supervisor.js): the agent writes straight into its stdout and stderr pipes. */
  child: ChildProcess;
  /** Resolves when the process has exited and its output is closed. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** TERM to the whole process group, then KILL after the grace period. Safe to call twice. */
  kill(graceMs: number): void;
}

const SUPERVISOR = path.join(__dirname, 'supervisor.js');
/** The worker's end of the lifeline: the supervisor stops the agent when it closes (supervisor.js). */
const LIFELINE_FD = 3;
/** Moved aside for the supervisor, which gives it back to the agent: the options are the agent's. */
const AGENT_NODE_OPTIONS = 'AGENT_BOT_AGENT_NODE_OPTIONS';

/**
 * Starts the agent under a supervisor that leads a new process group (argument arrays, never a shell), so
 * that cancellation and timeouts reach the tools it started too, and so that the whole group dies with
 * this worker even when the worker is killed by SIGKILL. With a `lease`, the supervisor keeps it fresh
 * while the agent runs; the lease is released when the supervisor is gone.
 *
 * `exited` rejects with an error whose `code` is the errno name (ENOENT, EACCES, ...) when the agent's
 * command could not be started.
 */
export function spawnAgentProcess(
  command: string,
  args: readonly string[],
  options: {
    cwd: string;
    env: NodeJS.ProcessEnv;
    stdin?: string | undefined;
    /** Time the supervisor gives the agent between TERM and KILL when the worker is gone, in ms. */
    killGraceMs?: number;
    lease?: HeldLease;
  },
): SpawnedAgent {
  const { lease } = options;
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, [SUPERVISOR, ...supervisorOptions(options), '--', command, ...args], {
      cwd: options.cwd,
      env: supervisorEnv(options.env),
      detached: true,
      stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe', 'pipe'],
    });
  } catch (error) {
    lease?.release();
    throw error;
  }
  if (child.pid !== undefined) lease?.adopt(child.pid);
  if (options.stdin !== undefined) {
    child.stdin?.on('error', () => {}); // an agent that exits without reading its stdin is not an error
    child.stdin?.end(options.stdin);
  }
  let spawnError: NodeJS.ErrnoException | undefined;
  const lifeline = child.stdio[LIFELINE_FD];
  // Held open, never written: the supervisor reads its end closing as this worker's death.
  if (lifeline instanceof Readable) {
    forEachLine(lifeline, (line) => {
      const status = parseStatus(line);
      if (status?.event === 'spawn-error') {
        spawnError = Object.assign(new Error(`spawn ${command} ${status.code}: ${status.message}`), { code: status.code, syscall: 'spawn', path: command });
      }
    });
  }
  let killTimer: NodeJS.Timeout | undefined;
  let exitedFlag = false;
  // Once the leader is gone, whatever it left running in its group would hold our pipes open.
  child.once('exit', () => signalGroup('SIGTERM'));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once('error', (error) => {
      lease?.release();
      reject(error);
    });
    child.once('close', (code, signal) => {
      exitedFlag = true;
      if (killTimer !== undefined) clearTimeout(killTimer);
      // A supervisor killed by SIGKILL could not remove the lease itself.
      lease?.release();
      if (spawnError !== undefined) reject(spawnError);
      else resolve({ code, signal });
    });
  });
  function signalGroup(signal: NodeJS.Signals): void {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // the group is already gone
    }
  }
  return {
    child,
    exited,
    kill(graceMs) {
      if (exitedFlag || killTimer !== undefined) return;
      signalGroup('SIGTERM');
      killTimer = setTimeout(() => signalGroup('SIGKILL'), graceMs);
      killTimer.unref();
    },
  };
}

function supervisorOptions(options: { killGraceMs?: number; lease?: HeldLease }): string[] {
  return [
    ...(options.killGraceMs === undefined ? [] : ['--grace-ms', String(Math.max(1, options.killGraceMs))]),
    ...(options.lease === undefined ? [] : ['--lease-file', options.lease.file, '--lease-token', options.lease.token, '--lease-refresh-ms', String(options.lease.refreshMs)]),
  ];
}

/** The agent's environment, with its NODE_OPTIONS kept away from the supervisor (a loader would slow it). */
function supervisorEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (env['NODE_OPTIONS'] === undefined) return env;
  const { NODE_OPTIONS: nodeOptions, ...rest } = env;
  return { ...rest, [AGENT_NODE_OPTIONS]: nodeOptions };
}

interface SupervisorStatus {
  event: string;
  code?: string;
  message?: string;
}

function parseStatus(line: string): SupervisorStatus | undefined {
  try {
    const value = JSON.parse(line) as unknown;
    return typeof value === 'object' && value !== null && typeof (value as SupervisorStatus).event === 'string' ? (value as SupervisorStatus) : undefined;
  } catch {
    return undefined;
  }
}
