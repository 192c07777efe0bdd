/**
 * Agent runs poll a queue of their own next to the main one, so a worker can cap agent processes
 * (AGENT_MAX_CONCURRENT) without capping workflow tasks or GitHub calls.
 */
export function agentTaskQueue(mainTaskQueue: string): string {
  return `${mainTaskQueue}-agent`;
}

/**
 * The agent queue of one worker (`<queue>-agent@<worker id>`): a thread's next agent run is scheduled
 * there, so it runs where the thread's workspace and agent session are, while that worker lives.
 */
export function workerAgentTaskQueue(mainTaskQueue: string, workerId: string): string {
  return `${agentTaskQueue(mainTaskQueue)}@${workerId}`;
}

/** Where a thread's workspace and agent session live: the worker that ran its last task. */
export interface AgentWorkerRef {
  /** AGENT_WORKER_ID of that worker. */
  id: string;
  /** Its own agent task queue. */
  taskQueue: string;
  /** AGENT_STICKY_WAIT of that worker (ms): how long the next run waits for it before any worker takes it. */
  stickyWaitMs: number;
}
