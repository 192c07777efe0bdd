// @ts-check
/**
 * The agent's supervisor: a tiny plain-Node program (no dependencies, no TypeScript loader, so it starts
 * fast) that the worker starts as the leader of a new process group, and that starts the agent in that
 * same group. Its one job is that the agent never outlives the worker, even a worker killed by SIGKILL.
 *
 *   node supervisor.js [--grace-ms N] [--lease-file F --lease-token T [--lease-refresh-ms N]] -- command [args...]
 *
 * Protocol with the worker (see process-group.ts):
 * - fd 0, 1, 2 are the agent's: the agent inherits them and writes straight into the worker's pipes. The
 *   supervisor never reads or writes them (except one line on stderr when its own arguments are wrong).
 * - fd 3 is the lifeline, a socket the worker holds open. End of file or an error on it means the worker is
 *   gone: the supervisor sends SIGTERM to its whole group, waits `--grace-ms` (or for the agent to exit),
 *   then sends SIGKILL to the group, itself included. Nothing is inherited by the agent on fd 3.
 * - The supervisor writes one JSON line to fd 3 when the agent cannot be started:
 *   `{"event":"spawn-error","code":"ENOENT","message":"..."}`, then exits with EXIT_SPAWN_ERROR (127).
 * - Exit status: the agent's exit code as is. When the agent dies of SIGTERM, SIGKILL, SIGINT, SIGHUP,
 *   SIGALRM or SIGUSR2, the supervisor dies of the same signal. Any other signal (those that would dump
 *   core, SIGPIPE that Node ignores, SIGUSR1 that starts Node's inspector) becomes exit code 128 + its
 *   number, as a shell reports it. 125 means the supervisor's own arguments were wrong.
 * - SIGTERM, SIGINT and SIGHUP sent to the supervisor do not stop it: whoever stops a run signals the whole
 *   group, so the agent got the signal too; the supervisor waits for the agent and reports its status.
 * - With a lease (lease.ts): while the agent runs, the lease file's mtime is refreshed every
 *   `--lease-refresh-ms`; if the file disappears or names another token, another attempt took over and the
 *   agent is stopped as if the worker were gone. When the agent exits, the lease is removed if it is still
 *   ours. The token is on the command line on purpose: it is how another attempt on this machine knows,
 *   from /proc/<pid>/cmdline, that the process named in a lease really is the supervisor holding it.
 */
'use strict';

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');

const EXIT_USAGE = 125;
const EXIT_SPAWN_ERROR = 127;
const LIFELINE_FD = 3;
/** Signals the supervisor re-raises on itself, so the worker sees the agent's own `signal`. */
const RERAISED = new Set(['SIGTERM', 'SIGKILL', 'SIGINT', 'SIGHUP', 'SIGALRM', 'SIGUSR2']);
/** Where the worker moved the agent's NODE_OPTIONS, so that they apply to the agent and not to us. */
const AGENT_NODE_OPTIONS = 'AGENT_BOT_AGENT_NODE_OPTIONS';

/**
 * @typedef {object} Options
 * @property {number} graceMs time between SIGTERM and SIGKILL when the worker is gone, in ms
 * @property {string | undefined} leaseFile
 * @property {string | undefined} leaseToken
 * @property {number} leaseRefreshMs
 * @property {string} command
 * @property {string[]} args
 */

/**
 * @param {string[]} argv the arguments after the script name
 * @returns {Options}
 */
function parseArguments(argv) {
  /** @type {Options} */
  const options = { graceMs: 10_000, leaseFile: undefined, leaseToken: undefined, leaseRefreshMs: 2_000, command: '', args: [] };
  let i = 0;
  for (; i < argv.length && argv[i] !== '--'; i += 2) {
    const name = argv[i];
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`${name} needs a value`);
    if (name === '--grace-ms') options.graceMs = positiveNumber(name, value);
    else if (name === '--lease-file') options.leaseFile = value;
    else if (name === '--lease-token') options.leaseToken = value;
    else if (name === '--lease-refresh-ms') options.leaseRefreshMs = positiveNumber(name, value);
    else throw new Error(`unknown option ${name}`);
  }
  const command = argv[i + 1];
  if (command === undefined) throw new Error('expected -- command [args...]');
  if ((options.leaseFile === undefined) !== (options.leaseToken === undefined)) throw new Error('--lease-file and --lease-token go together');
  options.command = command;
  options.args = argv.slice(i + 2);
  return options;
}

/**
 * @param {string} name
 * @param {string} value
 */
function positiveNumber(name, value) {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new Error(`${name} must be a positive number, not ${value}`);
  return number;
}

/** @param {string} file @param {string} token */
function leaseIsOurs(file, token) {
  try {
    /** @type {unknown} */
    const lease = JSON.parse(fs.readFileSync(file, 'utf8'));
    return typeof lease === 'object' && lease !== null && 'token' in lease && lease.token === token;
  } catch {
    return false; // gone, or half-written by someone else: not ours either way
  }
}

/** @param {Options} options */
function main(options) {
  /** @type {import('node:child_process').ChildProcess | undefined} */
  let agent;
  let agentExited = false;
  let stopping = false;

  /** @param {NodeJS.Signals} signal */
  const signalGroup = (signal) => {
    try {
      process.kill(-process.pid, signal);
    } catch {
      // nothing left in the group
    }
  };

  // The worker stops a run by signalling the whole group: the agent decides what TERM means, and we
  // report how it ended. Exiting here would drop the agent's status and the group's lifeline.
  const keepRunning = () => {};
  for (const signal of /** @type {const} */ (['SIGTERM', 'SIGINT', 'SIGHUP'])) process.on(signal, keepRunning);

  /** The worker or the lease is gone: nobody will stop the agent but us. */
  const stopGroup = () => {
    if (stopping) return;
    stopping = true;
    signalGroup('SIGTERM');
    const killAll = () => {
      // The agent exited: nothing of ours runs once the group is killed, so the lease can go first.
      if (agentExited) releaseLease();
      signalGroup('SIGKILL'); // ends this process too
    };
    const timer = setTimeout(killAll, options.graceMs);
    // Leftovers of an agent that exited on TERM still get the KILL, but without waiting the whole grace.
    agent?.once('exit', () => {
      clearTimeout(timer);
      setImmediate(killAll);
    });
    if (agent === undefined || agentExited) {
      clearTimeout(timer);
      killAll();
    }
  };

  const releaseLease = () => {
    if (options.leaseFile === undefined || options.leaseToken === undefined) return;
    if (!leaseIsOurs(options.leaseFile, options.leaseToken)) return;
    try {
      fs.unlinkSync(options.leaseFile);
    } catch {
      // already gone
    }
  };

  const lifeline = new net.Socket({ fd: LIFELINE_FD, readable: true, writable: true });
  lifeline.on('end', stopGroup);
  lifeline.on('error', stopGroup);
  lifeline.on('close', stopGroup);
  lifeline.resume();

  /** @type {NodeJS.Timeout | undefined} */
  let refresh;
  const { leaseFile, leaseToken } = options;
  if (leaseFile !== undefined && leaseToken !== undefined) {
    refresh = setInterval(() => {
      if (!leaseIsOurs(leaseFile, leaseToken)) {
        stopGroup();
        return;
      }
      const now = new Date();
      try {
        fs.utimesSync(leaseFile, now, now);
      } catch {
        // removed between the read and the touch: the next round sees it
      }
    }, options.leaseRefreshMs);
    refresh.unref();
  }

  const env = { ...process.env };
  if (env[AGENT_NODE_OPTIONS] !== undefined) {
    env.NODE_OPTIONS = env[AGENT_NODE_OPTIONS];
    delete env[AGENT_NODE_OPTIONS];
  }

  // Not detached: the agent and everything it starts share our group, so one signal reaches them all.
  agent = spawn(options.command, options.args, { stdio: ['inherit', 'inherit', 'inherit'], env });
  agent.once('error', (error) => {
    const code = /** @type {NodeJS.ErrnoException} */ (error).code ?? 'UNKNOWN';
    agentExited = true;
    if (refresh !== undefined) clearInterval(refresh);
    releaseLease();
    const line = `${JSON.stringify({ event: 'spawn-error', code, message: error.message })}\n`;
    lifeline.write(line, () => process.exit(EXIT_SPAWN_ERROR));
  });
  agent.once('exit', (code, signal) => {
    agentExited = true;
    if (refresh !== undefined) clearInterval(refresh);
    if (stopping) return; // stopGroup ends this process
    releaseLease();
    exitLike(code, signal);
  });
}

/**
 * Ends this process the way the agent ended, so the worker sees the agent's `{ code, signal }`.
 * @param {number | null} code
 * @param {NodeJS.Signals | null} signal
 */
function exitLike(code, signal) {
  if (signal === null) process.exit(code ?? 0);
  const number = os.constants.signals[signal];
  if (RERAISED.has(signal)) {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
    // A signal to oneself arrives before kill() returns on Linux; this is only a backstop.
    setTimeout(() => process.exit(128 + number), 1_000).unref();
    return;
  }
  process.exit(128 + number);
}

try {
  main(parseArguments(process.argv.slice(2)));
} catch (error) {
  process.stderr.write(`agent-bot supervisor: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(EXIT_USAGE);
}
