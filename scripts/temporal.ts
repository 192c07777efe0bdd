import { spawnSync } from 'node:child_process';
import { ensureTemporalCli } from '../temporal-config/temporal-cli';

/**
 * `npm run temporal -- <args>`: the same Temporal CLI `npm run dev` uses, wherever it was found, so the
 * README's operator commands work without a separate install. Talks to TEMPORAL_ADDRESS (the CLI reads
 * that variable itself), else to the dev server `npm run dev` starts: 127.0.0.1 on TEMPORAL_DEV_PORT
 * (7233 by default). `--address` on the command line wins over both.
 */
const cli = ensureTemporalCli((line) => process.stderr.write(`${line}\n`));
const env = { ...process.env };
const devPort = env['TEMPORAL_DEV_PORT'];
if ((env['TEMPORAL_ADDRESS'] ?? '') === '' && devPort !== undefined && /^\d{1,5}$/.test(devPort)) env['TEMPORAL_ADDRESS'] = `127.0.0.1:${devPort}`;
const result = spawnSync(cli.path, process.argv.slice(2), { stdio: 'inherit', env });
process.exit(result.status ?? 1);
