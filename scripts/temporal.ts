import { spawnSync } from 'node:child_process';
import { ensureTemporalCli } from '../temporal-config/temporal-cli';

/**
 * `npm run temporal -- <args>`: the same Temporal CLI `npm run dev` uses, wherever it was found, so the
 * README's operator commands work without a separate install. Talks to 127.0.0.1:7233 unless
 * TEMPORAL_ADDRESS says otherwise (the CLI reads that variable itself).
 */
const cli = ensureTemporalCli((line) => process.stderr.write(`${line}\n`));
const result = spawnSync(cli.path, process.argv.slice(2), { stdio: 'inherit' });
process.exit(result.status ?? 1);
