import { spawn, type ChildProcess } from 'node:child_process';

export interface SpawnedAgent {
  child: ChildProcess;
  /** Resolves when the process has exited and its output is closed. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** TERM to the whole process group, then KILL after the grace period. Safe to call twice. */
  kill(graceMs: number): void;
}

/**
 * Starts the agent as the leader of a new process group (argument array, never a shell), so that
 * cancellation and timeouts reach the tools it started too.
 */
export function spawnAgentProcess(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; stdin?: string | undefined },
): SpawnedAgent {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  if (options.stdin !== undefined) {
    child.stdin?.on('error', () => {}); // an agent that exits without reading its stdin is not an error
    child.stdin?.end(options.stdin);
  }
  let killTimer: NodeJS.Timeout | undefined;
  let exitedFlag = false;
  // Once the leader is gone, whatever it left running in its group would hold our pipes open.
  child.once('exit', () => signalGroup('SIGTERM'));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      exitedFlag = true;
      if (killTimer !== undefined) clearTimeout(killTimer);
      resolve({ code, signal });
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
