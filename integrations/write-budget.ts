/** How urgent a write is: `urgent` ones (final answers, approvals, replies, reactions) wait their turn; `progress` ones are skipped when short. */
export type WritePriority = 'urgent' | 'progress';

/** At most `limit` writes in any `perMs` milliseconds. */
export interface WriteWindow {
  limit: number;
  perMs: number;
}

export interface WriteBudgetOptions {
  /** Every window must have room for a write to go; e.g. GitHub: 72 a minute and 450 an hour. */
  windows: readonly WriteWindow[];
  /**
   * Share of each window (0..1) that only urgent writes may use: progress edits stop once less than this
   * is left, so the final answers of every concurrent task always have room.
   */
  urgentReserve: number;
  /** Longest an urgent write waits here (ms) before `WriteBudgetExhausted` asks the caller to retry later. */
  maxWaitMs: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Told what the budget did (for metrics); may also be set later with `observe`. */
  hooks?: WriteBudgetHooks;
}

/**
 * What a budget reports as it works, for metrics: the worker turns these into counters, so this module
 * needs no metrics library. `keys` may hold ids (`slack:channel:C123`): never make them labels. A hook
 * that throws is ignored: reporting must not fail a write.
 */
export interface WriteBudgetHooks {
  /** A progress write was skipped: the budget was short (the urgent reserve) or paused by a rate limit. */
  skipped?(keys: readonly string[]): void;
  /** An urgent write waited `waitedMs` (ms) for a slot, then went. */
  waited?(keys: readonly string[], waitedMs: number): void;
  /** An urgent write could not get a slot within `maxWaitMs`: `WriteBudgetExhausted` was thrown. */
  exhausted?(keys: readonly string[]): void;
  /** A rate-limit answer paused every write of `keys` for `pauseMs` (ms). */
  paused?(keys: readonly string[], pauseMs: number): void;
}

/** An urgent write could not get a slot within `maxWaitMs`; `retryAfterMs` says when one frees up. */
export class WriteBudgetExhausted extends Error {
  override name = 'WriteBudgetExhausted';
  constructor(
    readonly key: string,
    readonly retryAfterMs: number,
  ) {
    super(`the write budget of ${key} is used up for now; next slot in ${Math.ceil(retryAfterMs / 1000)} s`);
  }
}

/**
 * One write budget per provider credential (and, where a provider limits per channel, per channel),
 * shared by every task of a worker process: concurrent tasks slow their progress edits instead of
 * tripping the provider's limits, and a rate-limit answer pauses every later write of that credential
 * (not only the retry of the task that got it).
 */
export class WriteBudgets {
  private readonly budgets = new Map<string, KeyedBudget>();
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private hooks: WriteBudgetHooks;

  constructor(private readonly defaults: WriteBudgetOptions) {
    this.now = defaults.now ?? Date.now;
    this.sleep = defaults.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.hooks = defaults.hooks ?? {};
  }

  /** Reports what this budget does to `hooks` from now on (replacing earlier ones). */
  observe(hooks: WriteBudgetHooks): void {
    this.hooks = hooks;
  }

  /** Sets the windows of one key (e.g. `slack:channel:C123` at one write a second). */
  configure(key: string, windows: readonly WriteWindow[]): void {
    this.budget(key, windows);
  }

  /**
   * Runs `write` once every key has room, counting it against all of them. A `progress` write that would
   * eat into the urgent reserve, or that meets a rate-limit pause, is skipped: `undefined` is returned and
   * `write` never runs. An urgent write waits (up to `maxWaitMs`, else `WriteBudgetExhausted`).
   */
  async run<T>(priority: WritePriority, keys: readonly string[], write: () => Promise<T>): Promise<T | undefined> {
    const budgets = keys.map((key) => this.budget(key));
    const startedAt = this.now();
    const deadline = startedAt + this.defaults.maxWaitMs;
    let slept = false;
    for (;;) {
      const now = this.now();
      const reserve = priority === 'urgent' ? 0 : this.defaults.urgentReserve;
      const waits = budgets.map((budget) => budget.waitMs(now, reserve));
      const waitMs = Math.max(0, ...waits);
      if (waitMs === 0) break;
      if (priority === 'progress') {
        this.report((hooks) => hooks.skipped?.(keys));
        return undefined;
      }
      if (now + waitMs > deadline) {
        const blocking = budgets[waits.indexOf(waitMs)]!;
        this.report((hooks) => hooks.exhausted?.(keys));
        throw new WriteBudgetExhausted(blocking.key, waitMs);
      }
      await this.sleep(Math.min(waitMs, 1_000));
      slept = true;
    }
    const at = this.now();
    if (slept) this.report((hooks) => hooks.waited?.(keys, at - startedAt));
    for (const budget of budgets) budget.record(at);
    return write();
  }

  /** The provider answered 429 or a secondary rate limit: no write of these keys before `untilMs`. */
  pause(keys: readonly string[], untilMs: number): void {
    for (const key of keys) this.budget(key).pauseUntil(untilMs);
    const pauseMs = untilMs - this.now();
    if (pauseMs > 0) this.report((hooks) => hooks.paused?.(keys, pauseMs));
  }

  /** Writes counted in the last `perMs` for a key: for metrics and tests. */
  used(key: string, perMs: number): number {
    return this.budget(key).countSince(this.now() - perMs);
  }

  private report(call: (hooks: WriteBudgetHooks) => void): void {
    try {
      call(this.hooks);
    } catch {
      // Metrics are not worth a failed write.
    }
  }

  private budget(key: string, windows?: readonly WriteWindow[]): KeyedBudget {
    let budget = this.budgets.get(key);
    if (budget === undefined || windows !== undefined) {
      budget = new KeyedBudget(key, windows ?? this.defaults.windows, budget);
      this.budgets.set(key, budget);
    }
    return budget;
  }
}

/** The sliding windows of one key: timestamps of recent writes, kept only as long as the longest window. */
class KeyedBudget {
  private readonly stamps: number[];
  private pausedUntil: number;
  private readonly longestMs: number;

  constructor(
    readonly key: string,
    private readonly windows: readonly WriteWindow[],
    previous?: KeyedBudget,
  ) {
    this.stamps = previous?.stamps ?? [];
    this.pausedUntil = previous?.pausedUntil ?? 0;
    this.longestMs = Math.max(0, ...windows.map((window) => window.perMs));
  }

  /** 0 when a write may go now (leaving `reserve` of each window untouched), else how long to wait. */
  waitMs(now: number, reserve: number): number {
    this.forget(now);
    if (now < this.pausedUntil) return this.pausedUntil - now;
    let wait = 0;
    for (const window of this.windows) {
      const allowed = Math.max(1, Math.floor(window.limit * (1 - reserve)));
      const inWindow = this.stamps.filter((stamp) => stamp > now - window.perMs);
      if (inWindow.length < allowed) continue;
      // The write that frees a slot is the one `allowed` places back from the newest.
      const freeing = inWindow[inWindow.length - allowed]!;
      wait = Math.max(wait, freeing + window.perMs - now + 1);
    }
    return wait;
  }

  record(at: number): void {
    this.stamps.push(at);
  }

  pauseUntil(untilMs: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, untilMs);
  }

  countSince(since: number): number {
    return this.stamps.filter((stamp) => stamp > since).length;
  }

  private forget(now: number): void {
    while (this.stamps.length > 0 && this.stamps[0]! <= now - this.longestMs) this.stamps.shift();
  }
}
