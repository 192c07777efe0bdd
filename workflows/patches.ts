/**
 * Patch ids (`patched()`), one per change that would make earlier histories replay differently. A run
 * without the marker replays the code it was recorded with; see workflows/legacy/.
 */

/** Provider-neutral threads, and a task that shows its progress from its agent activity (fewer events). */
export const THREADS_PATCH = 'provider-neutral-threads';
