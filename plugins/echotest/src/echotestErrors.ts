/** EchoTest error codes (Janus 1.x janus_echotest.c). */
export const EchoTestError = {
  NO_MESSAGE: 411,
  INVALID_JSON: 412,
  INVALID_ELEMENT: 413,
  INVALID_SDP: 414,
} as const;
