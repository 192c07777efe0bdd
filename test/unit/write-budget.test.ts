import assert from 'node:assert/strict';
import { budgetOnFakeClock } from '../support/fake-clock-budget';

const write = (value: string) => () => Promise.resolve(value);

describe('write budget', () => {
  it('skips progress writes past the urgent share, and makes an urgent write wait for the window to slide', async () => {
    const { budgets, clock } = budgetOnFakeClock({ limit: 4, perMs: 60_000, maxWaitMs: 120_000 });
    const started = clock.now;
    assert.equal(await budgets.run('progress', ['github'], write('p1')), 'p1');
    assert.equal(await budgets.run('progress', ['github'], write('p2')), 'p2');
    assert.equal(await budgets.run('progress', ['github'], write('p3')), undefined, 'half of 4 is kept for urgent writes');
    assert.equal(await budgets.run('urgent', ['github'], write('a1')), 'a1');
    assert.equal(await budgets.run('urgent', ['github'], write('a2')), 'a2');
    assert.equal(clock.now, started, 'the window had room: nothing waited');
    assert.equal(await budgets.run('urgent', ['github'], write('a3')), 'a3');
    assert.ok(clock.now - started >= 60_000, 'the fifth write waited for the first to leave the window');
  });

  it('counts a write against every key it names', async () => {
    const { budgets } = budgetOnFakeClock({ limit: 2, perMs: 60_000, maxWaitMs: 1_000 });
    await budgets.run('urgent', ['slack', 'slack:channel:C1'], write('a'));
    assert.equal(budgets.used('slack', 60_000), 1);
    assert.equal(budgets.used('slack:channel:C1', 60_000), 1);
    assert.equal(budgets.used('slack:channel:C2', 60_000), 0);
  });

  it('lets a write with no keys go at once, at any priority', async () => {
    const { budgets } = budgetOnFakeClock({ limit: 1, perMs: 60_000, maxWaitMs: 1_000 });
    assert.equal(await budgets.run('progress', [], write('free')), 'free');
    assert.equal(await budgets.run('urgent', [], write('also free')), 'also free');
  });
});
