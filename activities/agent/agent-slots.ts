/**
 * The agent processes one worker process may run at once (AGENT_MAX_CONCURRENT), shared by its agent
 * workers: the shared agent task queue and its own (see workerAgentTaskQueue). Temporal's slots are per
 * worker; this is per machine, which is what the limit means.
 */
export class AgentSlots {
  private used = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly size: number) {}

  get free(): number {
    return this.size - this.used;
  }

  /**
   * Resolves with a release function once a slot is free; `onWait` is called once if it must wait.
   * @throws the signal's reason when it aborts first (the activity was cancelled).
   */
  async acquire(signal: AbortSignal, onWait: () => void = () => {}): Promise<() => void> {
    if (this.used >= this.size) {
      onWait();
      await new Promise<void>((resolve, reject) => {
        const wake = (): void => {
          signal.removeEventListener('abort', abort);
          resolve();
        };
        const abort = (): void => {
          const index = this.waiting.indexOf(wake);
          if (index >= 0) this.waiting.splice(index, 1);
          reject(signal.reason instanceof Error ? signal.reason : new Error('cancelled while waiting for an agent slot'));
        };
        signal.addEventListener('abort', abort, { once: true });
        this.waiting.push(wake);
      });
    }
    this.used++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.used--;
      this.waiting.shift()?.();
    };
  }
}
