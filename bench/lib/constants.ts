// Identities the bench's Twilio side and host share (not secrets: loopback-only bench credentials).
export const BENCH_AUTH_TOKEN = 'bench-auth-token-0123456789abcdef';
export const BENCH_ACCOUNT_SID = `AC${'0'.repeat(31)}1`;
export const BENCH_PUBLIC_URL = 'https://bench.front-door.invalid';
