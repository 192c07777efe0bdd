import { ensureTemporalCli, findTestServer, installTemporalCli } from '../temporal-config/temporal-cli';

/** `npm run temporal:install`: makes sure the Temporal CLI (and the test server) are here. */
const cli = ensureTemporalCli();
const testServer = findTestServer() ?? (cli.source === 'project' ? undefined : (installTemporalCli(), findTestServer()));
console.log(`temporal CLI: ${cli.path} (${cli.source})`);
console.log(`time-skipping test server: ${testServer ?? 'not installed'}`);
