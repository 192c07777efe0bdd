import { isServerRunning, readClusterState, restartServer, type ClusterState } from '../../temporal-config/cluster';
import { waitForExit } from '../../temporal-config/processes';

/**
 * The PostgreSQL cluster `npm run test:cluster` started and recorded in AGENT_BOT_TEST_CLUSTER_DIR, for the
 * tests under test/cluster/. Throws when the suite runs without one: those tests mean nothing on a dev server.
 */
export function testCluster(): { dir: string; state: ClusterState } {
  const dir = process.env['AGENT_BOT_TEST_CLUSTER_DIR'];
  const state = dir === undefined || dir === '' ? undefined : readClusterState(dir);
  if (dir === undefined || state === undefined) {
    throw new Error('test/cluster/ runs against the Temporal cluster: use `npm run test:cluster` (AGENT_BOT_TEST_CLUSTER_DIR names its folder)');
  }
  return { dir, state };
}

/** SIGKILLs the cluster's Temporal server (all four services: one process) and waits until it is gone. */
export async function killTemporalServer(): Promise<void> {
  const { state } = testCluster();
  process.kill(state.serverPid, 'SIGKILL');
  if (!(await waitForExit(state.serverPid, 10_000, state.serverConfigFile))) throw new Error(`the Temporal server (pid ${state.serverPid}) survived SIGKILL`);
  if (isServerRunning(state)) throw new Error('the Temporal server still runs');
}

/** Starts the cluster's server again on the same database and ports, and waits until it answers. */
export async function restartTemporalServer(): Promise<ClusterState> {
  return restartServer(testCluster().dir);
}
