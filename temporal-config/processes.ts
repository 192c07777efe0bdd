import fs from 'node:fs';

/**
 * Whether `pid` is a live process whose command line mentions `expected` (an executable path or a
 * distinctive argument), so a pid reused by an unrelated process after a reboot is not taken for ours.
 * Reads `/proc` (Linux); elsewhere it only checks that the pid exists.
 */
export function isProcessAlive(pid: number, expected?: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to someone else (a PostgreSQL we started as `postgres`, seen by a non-root user).
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (expected === undefined) return true;
  try {
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    // A zombie has an empty command line: it is gone for our purposes.
    return cmdline.split('\0').some((part) => part.includes(expected));
  } catch {
    return process.platform !== 'linux';
  }
}

/**
 * Sends `signal` to `pid`, then waits until it is gone; after `graceMs` milliseconds sends SIGKILL and
 * waits again (up to 5 s). Resolves true when the process is gone. Never throws.
 */
export async function stopProcess(pid: number, options: { signal?: NodeJS.Signals; graceMs?: number; expected?: string } = {}): Promise<boolean> {
  const { signal = 'SIGTERM', graceMs = 20_000, expected } = options;
  if (!isProcessAlive(pid, expected)) return true;
  trySignal(pid, signal);
  if (await waitForExit(pid, graceMs, expected)) return true;
  trySignal(pid, 'SIGKILL');
  return waitForExit(pid, 5000, expected);
}

/** Polls every 100 ms until `pid` is gone; resolves false after `timeoutMs` milliseconds. */
export async function waitForExit(pid: number, timeoutMs: number, expected?: string): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isProcessAlive(pid, expected)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}

function trySignal(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}
