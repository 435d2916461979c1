// Electron IPC channel names shared by the shell (main) and the preload.
export const IPC_INVOKE = 'front-door:invoke';
export const IPC_SUBSCRIBE = 'front-door:subscribe';
export const IPC_PUSH = 'front-door:push';
