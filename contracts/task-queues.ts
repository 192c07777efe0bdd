/**
 * Agent runs poll a queue of their own next to the main one, so a worker can cap agent processes
 * (AGENT_MAX_CONCURRENT) without capping workflow tasks or GitHub calls.
 */
export function agentTaskQueue(mainTaskQueue: string): string {
  return `${mainTaskQueue}-agent`;
}
