import { WriteBudgets, type WriteBudgetHooks } from '../../integrations/write-budget';

/** A budget on a clock of its own: sleeping moves the clock, nothing waits for real. */
export function budgetOnFakeClock(options: { limit: number; perMs: number; maxWaitMs: number }) {
  const clock = { now: 1_000_000 };
  const events: string[] = [];
  const hooks: WriteBudgetHooks = {
    skipped: (keys) => events.push(`skipped ${keys.join(',')}`),
    waited: (keys, ms) => events.push(`waited ${keys.join(',')} ${ms}`),
    exhausted: (keys) => events.push(`exhausted ${keys.join(',')}`),
    paused: (keys, ms) => events.push(`paused ${keys.join(',')} ${ms}`),
  };
  const budgets = new WriteBudgets({
    windows: [{ limit: options.limit, perMs: options.perMs }],
    urgentReserve: 0.5,
    maxWaitMs: options.maxWaitMs,
    now: () => clock.now,
    sleep: (ms) => {
      clock.now += ms;
      return Promise.resolve();
    },
  });
  budgets.observe(hooks);
  return { budgets, clock, events };
}
