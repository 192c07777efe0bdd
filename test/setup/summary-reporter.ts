import fs from 'node:fs';
import Mocha from 'mocha';

/**
 * Mocha's spec output, plus (when MOCHA_SUMMARY_FILE is set) its real counts written as JSON at the
 * end, so .ci/run can print the one plain `N passed, N failed` line CI reads.
 */
class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    const file = process.env['MOCHA_SUMMARY_FILE'];
    if (file === undefined || file === '') return;
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const stats = runner.stats;
      fs.writeFileSync(file, JSON.stringify({ passed: stats?.passes ?? 0, failed: stats?.failures ?? 0, skipped: stats?.pending ?? 0 }));
    });
  }
}

export = SummaryReporter;
