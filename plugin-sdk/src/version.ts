/**
 * Version of the plugin contract. The core refuses plugins built against a different major version.
 * 1: lifecycle, sessions, messages, media setup/hangup, negotiation, media routes, data, timers, kv.
 *    Additive since: `.mjr` recordings of incoming streams (`media.startRecording` / `stopRecording`).
 */
export const SDK_VERSION = 1;
