// Identity of the embedded demo's simulated Twilio account. Calls from this account are labelled simulated.
export const DEMO_ACCOUNT_SID = 'AC' + 'de30de30de30de30de30de30de30de30';
/** The demo's auth token: signs the simulated caller's webhooks and authorises the REST stand-in. Not a secret. */
export const DEMO_AUTH_TOKEN = 'front-door-demo-auth-token';
/** Demo caller numbers (Korean mobile format, fictional). */
export const DEMO_CALLER_NUMBERS = ['+821055501234', '+821055505678', '+821055508888', '+821055502468'];
export const DEMO_TWILIO_NUMBER = '+827055500100';
export const DEMO_CONNECT_DID = '+8225550199';
