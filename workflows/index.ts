export { targetWorkflow } from './target-workflow';
export { taskWorkflow } from './task-workflow';
export { janitorWorkflow } from './janitor-workflow';
