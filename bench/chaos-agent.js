// The stand-in agent of `npm run chaos`: works for CHAOS_AGENT_SECONDS, printing a line every half second,
// and records its start and its end (task, pid, time) in CHAOS_AGENT_LOG, so the bench can tell which
// runs overlapped, which finished twice, and which processes outlived their worker.
const fs = require('node:fs');
const task = process.env.AGENT_BOT_TASK_ID ?? 'unknown';
/** @param {'start' | 'end'} event */
const record = (event) => fs.appendFileSync(process.env.CHAOS_AGENT_LOG ?? '/dev/null', `${JSON.stringify({ task, pid: process.pid, event, at: Date.now() })}\n`);
record('start');
const halfSeconds = Math.round(Number(process.env.CHAOS_AGENT_SECONDS ?? '3') * 2);
let ticks = 0;
const timer = setInterval(() => {
  ticks++;
  console.log(`working ${ticks}/${halfSeconds}`);
  if (ticks < halfSeconds) return;
  clearInterval(timer);
  record('end');
  console.log(`Done with ${task}.`);
}, 500);
