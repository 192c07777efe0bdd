// The stand-in agent of `npm run bench:cost`: records its start (the moment it was spawned) and its end in
// COST_AGENT_LOG, prints a new line every COST_AGENT_PRINT_MS (a chatty agent), and answers after
// COST_AGENT_SECONDS.
const fs = require('node:fs');
const task = process.env.AGENT_BOT_TASK_ID ?? 'unknown';
/** @param {'start' | 'end'} event */
const record = (event) => fs.appendFileSync(process.env.COST_AGENT_LOG ?? '/dev/null', `${JSON.stringify({ task, event, at: Date.now() })}\n`);
record('start');
const endAt = Date.now() + Number(process.env.COST_AGENT_SECONDS ?? '1') * 1000;
let line = 0;
const timer = setInterval(() => {
  console.log(`step ${++line}: reading and editing files`);
  if (Date.now() < endAt) return;
  clearInterval(timer);
  record('end');
  console.log('The review is done.');
}, Number(process.env.COST_AGENT_PRINT_MS ?? '1000'));
