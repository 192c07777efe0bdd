import assert from 'node:assert/strict';
import { WriteBudgetExhausted, WriteBudgets } from '../../integrations/write-budget';
import { budgetOnFakeClock } from '../support/fake-clock-budget';

describe('write budget: hooks for metrics', () => {
  it('reports a skipped progress edit, an urgent write that waited (and how long), and nothing for writes that went at once', async () => {
    const { budgets, events } = budgetOnFakeClock({ limit: 2, perMs: 10_000, maxWaitMs: 30_000 });
    assert.equal(await budgets.run('progress', ['github'], () => Promise.resolve('first')), 'first');
    assert.deepEqual(events, [], 'a write that went at once reports nothing');
    assert.equal(await budgets.run('progress', ['github'], () => Promise.resolve('second')), undefined, 'half the window is kept for urgent writes');
    assert.equal(await budgets.run('urgent', ['github'], () => Promise.resolve('answer')), 'answer');
    assert.equal(await budgets.run('urgent', ['github'], () => Promise.resolve('late answer')), 'late answer');
    assert.deepEqual(events, ['skipped github', 'waited github 10000']);
  });

  it('reports an urgent write that found no slot in time, and a rate-limit pause with its length', async () => {
    const { budgets, clock, events } = budgetOnFakeClock({ limit: 1, perMs: 60_000, maxWaitMs: 5_000 });
    await budgets.run('urgent', ['slack', 'slack:channel:C1'], () => Promise.resolve());
    await assert.rejects(budgets.run('urgent', ['slack', 'slack:channel:C1'], () => Promise.resolve()), WriteBudgetExhausted);
    budgets.pause(['slack'], clock.now + 30_000);
    budgets.pause(['slack'], clock.now - 1);
    assert.deepEqual(events, ['exhausted slack,slack:channel:C1', 'paused slack 30000'], 'a pause already over reports nothing');
  });

  it('a hook that throws does not fail the write', async () => {
    const budgets = new WriteBudgets({ windows: [{ limit: 1, perMs: 60_000 }], urgentReserve: 0.5, maxWaitMs: 0, hooks: { skipped: () => { throw new Error('broken metrics'); } } });
    await budgets.run('urgent', ['k'], () => Promise.resolve());
    assert.equal(await budgets.run('progress', ['k'], () => Promise.resolve('x')), undefined);
  });
});
