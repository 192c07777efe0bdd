/** Moved to contracts, where the status reply activity reads it too; the frozen v1 workflow imports it from here. */
export { renderStatusReply } from '../contracts/status-reply';
