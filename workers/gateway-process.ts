import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Logger } from './logger';

/** What workers/gateway.ts tells its parent over IPC once it listens. */
export interface GatewayReadyMessage {
  gatewayUrl: string;
}

export interface GatewayProcess {
  url: string;
  /** Resolves when the process has exited, for whatever reason. */
  exited: Promise<number | null>;
  /** Asks it to stop (in-flight webhooks are still answered) and waits until it has. */
  stop(): Promise<void>;
}

const STOP_GRACE_MS = 10_000;

/**
 * Runs the gateway (workers/gateway.ts) as a child process with the same environment. Its own event loop
 * and its own Temporal connection: the worker's workflow activations, activities and GC pauses never
 * sit between a webhook and its ack, and the OS schedules the mostly idle gateway ahead of busy work.
 */
export async function startGatewayProcess(log: Logger): Promise<GatewayProcess> {
  // fork() reuses this process's execArgv, so `--import tsx` carries over.
  const child = fork(path.join(__dirname, 'gateway.ts'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await Promise.race([readyUrl(child), exited.then((code) => Promise.reject(new Error(`the gateway exited during start-up (code ${code})`)))]);
  return {
    url,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      // Closing the IPC channel is its cue to stop. Not a signal: after a Ctrl-C it already has one, and
      // a second would make it exit at once, cutting webhooks in flight.
      if (child.connected) child.disconnect();
      const killer = setTimeout(() => {
        log('the gateway did not stop in time: killing it', {}, 'warn');
        child.kill('SIGKILL');
      }, STOP_GRACE_MS);
      await exited;
      clearTimeout(killer);
    },
  };
}

function readyUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve) => {
    const onMessage = (message: unknown): void => {
      if (typeof message !== 'object' || message === null || !('gatewayUrl' in message)) return;
      child.off('message', onMessage);
      resolve((message as GatewayReadyMessage).gatewayUrl);
    };
    child.on('message', onMessage);
  });
}
