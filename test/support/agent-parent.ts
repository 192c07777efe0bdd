/**
 * A stand-in worker, run as its own process (`node --import tsx`) so a test can SIGKILL it: it starts the
 * agent given as JSON in argv[2] (`{ command, args, env, killGraceMs }`) the way the worker does, prints the
 * supervisor's pid as a JSON line, and waits for the agent.
 */
import { spawnAgentProcess } from '../../activities/agent/process-group';

interface ParentSpec {
  command: string;
  args: string[];
  env: Record<string, string>;
  killGraceMs: number;
}

const spec = JSON.parse(process.argv[2] ?? '{}') as ParentSpec;
const agent = spawnAgentProcess(spec.command, spec.args, { cwd: process.cwd(), env: spec.env, killGraceMs: spec.killGraceMs });
agent.child.stdout?.resume();
agent.child.stderr?.resume();
process.stdout.write(`${JSON.stringify({ supervisor: agent.child.pid })}\n`);
agent.exited.then(
  () => process.exit(0),
  () => process.exit(1),
);
