export * from './errors';
export * from './messages';
export * from './search-attributes';
export * from './status';
export * from './target';
export * from './task';
export * from './task-queues';
export * from './workflow-inputs';
