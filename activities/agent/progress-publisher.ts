import type { TaskPresence, TaskView } from '../../contracts/presence';
import type { AgentProgress } from '../../contracts/task';
import type { TaskOnThread, ThreadTransport } from '../../integrations/transport';
import type { WritePriority } from '../../integrations/write-budget';

/** When the task's message shows progress, all in ms. */
export interface ProgressPacing {
  /** The first progress message appears only after this long: a quick answer is one message, not two. */
  delayMs: number;
  /** Between edits during the first `fastPeriodMs` of the run. */
  intervalMs: number;
  /** Between edits afterwards: long runs edit rarely. */
  maxIntervalMs: number;
  fastPeriodMs: number;
}

/**
 * Shows a running task on its thread from inside the agent activity: the first progress message after
 * `delayMs`, then edits frequent at first and rare later, and none when nothing a reader would see has
 * changed. Edits are serialized, best effort (`progress` priority: skipped when the provider's write
 * budget is short) and never outlive the run: `settle()` waits for the last one, so a late edit cannot
 * overwrite the final answer posted afterwards.
 */
export class ProgressPublisher {
  private inFlight: Promise<void> = Promise.resolve();
  private lastShownAt: number | undefined;
  private lastShownKey: string | undefined;
  private stopped = false;
  /** The agent's own note (its `update-progress-note` tool), kept on every later progress view. */
  private note: string | undefined;

  constructor(
    private readonly transport: ThreadTransport,
    private readonly task: TaskOnThread,
    private current: TaskPresence,
    private readonly pacing: ProgressPacing,
    private readonly onPresence: (presence: TaskPresence) => void,
    /** An earlier attempt may have posted the message already: the first post looks for it. */
    private mayExist: boolean,
    private readonly now: () => number = Date.now,
    private readonly onError: (error: unknown) => void = () => {},
  ) {}

  get presence(): TaskPresence {
    return this.current;
  }

  /** Called periodically with the run's progress; edits when one is due and something changed. */
  tick(progress: AgentProgress): void {
    if (this.stopped) return;
    const elapsedMs = this.now() - Date.parse(this.task.startedAt);
    if (elapsedMs < this.pacing.delayMs) return;
    const interval = elapsedMs < this.pacing.fastPeriodMs ? this.pacing.intervalMs : this.pacing.maxIntervalMs;
    if (this.lastShownAt !== undefined && this.now() - this.lastShownAt < interval) return;
    const { key, view } = this.workingView(progress, elapsedMs);
    if (key === this.lastShownKey) return;
    this.lastShownAt = this.now();
    this.lastShownKey = key;
    // Progress is best effort: the final answer is what must land.
    this.enqueue(view, 'progress').catch(this.onError);
  }

  /**
   * The agent's note on what it is doing, shown at once (whatever the pacing: the agent asked for it) and
   * on every later progress view. Progress priority: when the write budget is short the edit is skipped
   * and the note waits for the next edit. Resolves true when the note is on the thread.
   * @throws the transport's classified failure when the edit fails.
   */
  async showNote(note: string, progress: AgentProgress): Promise<boolean> {
    this.note = note;
    if (this.stopped) return false;
    const { key, view } = this.workingView(progress, this.now() - Date.parse(this.task.startedAt));
    this.lastShownAt = this.now();
    this.lastShownKey = key;
    const shown = await this.enqueue(view, 'progress');
    // Skipped: forget the key, so the next tick edits as soon as the budget allows.
    if (!shown) this.lastShownKey = undefined;
    return shown;
  }

  /** The view of a running task, and what in it a reader would see change (elapsed time alone is not news). */
  private workingView(progress: AgentProgress, elapsedMs: number): { key: string; view: TaskView } {
    const lastLine = progress.lastLines.at(-1);
    const key = JSON.stringify([progress.stage, lastLine, progress.costUsd?.toFixed(2), this.note]);
    const view: TaskView = {
      phase: 'working',
      stage: progress.stage,
      elapsedMs,
      ...(lastLine === undefined ? {} : { lastLine }),
      ...(progress.costUsd === undefined ? {} : { costUsd: progress.costUsd }),
      ...(this.note === undefined ? {} : { note: this.note }),
    };
    return { key, view };
  }

  /** Shows a view that must land (the plan): waits for the edit in flight, then posts at urgent priority. */
  async show(view: TaskView): Promise<TaskPresence> {
    await this.enqueue(view, 'urgent');
    return this.current;
  }

  /**
   * No more progress edits; resolves once the last one has landed or failed, with the presence as it
   * stands: `unconfirmed` when a message of this task may exist that this run never found.
   */
  async settle(): Promise<TaskPresence> {
    this.stopped = true;
    await this.inFlight;
    return this.mayExist && this.current.messageId === undefined ? { ...this.current, unconfirmed: true } : this.current;
  }

  /**
   * Runs after the write in flight; resolves false when a progress view was skipped. The returned promise
   * rejects on failure, `inFlight` never does.
   */
  private enqueue(view: TaskView, priority: WritePriority): Promise<boolean> {
    const run = this.inFlight.then(async () => {
      try {
        const shown = await this.transport.show(this.task, this.current, view, { priority, mayExist: this.mayExist });
        if (shown === undefined) return false;
        const { unconfirmed: _unused, ...current } = shown;
        this.current = current;
        this.mayExist = false;
        this.onPresence(current);
        return true;
      } catch (error) {
        // A post that failed may still have landed (a timeout after the provider wrote it): look before posting again.
        if (this.current.messageId === undefined) this.mayExist = true;
        throw error;
      }
    });
    this.inFlight = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }
}
