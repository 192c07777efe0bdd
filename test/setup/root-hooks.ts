import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Runtime, DefaultLogger } from '@temporalio/worker';
import { startTestTemporal, stopTestTemporal } from '../support/temporal';

// Every temp dir of this run (data dirs, stand-in homes, the dev server's SQLite file, and those of the
// processes the tests spawn, which inherit TMPDIR) goes under one root, removed at the end: a run leaves
// nothing behind in /tmp. Set AGENT_BOT_TEST_KEEP_TMP=1 to keep it for a post-mortem.
const runTmp = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-bot-run-'));
process.env['TMPDIR'] = runTmp;

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
    if (process.env['AGENT_BOT_TEST_KEEP_TMP'] === '1') process.stderr.write(`test temp dirs kept in ${runTmp}\n`);
    else fs.rmSync(runTmp, { recursive: true, force: true, maxRetries: 3 });
  },
};
