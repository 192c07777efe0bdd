import { Runtime, DefaultLogger } from '@temporalio/worker';
import { startTestTemporal, stopTestTemporal } from '../support/temporal';

// Worker logs only when something is wrong: mocha's output stays readable.
Runtime.install({ logger: new DefaultLogger('ERROR') });

export const mochaHooks = {
  async beforeAll(this: Mocha.Context): Promise<void> {
    this.timeout(300_000);
    await startTestTemporal();
  },
  async afterAll(this: Mocha.Context): Promise<void> {
    this.timeout(30_000);
    await stopTestTemporal();
  },
};
