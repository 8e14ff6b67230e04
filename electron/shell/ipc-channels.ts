/** IPC channel names shared by the main process and the preload bridge. */
export const INVOKE_CHANNEL = 'switchyard:invoke';
export const EVENT_CHANNEL = 'switchyard:event';
