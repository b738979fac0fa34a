// The part of the stock janus.js (served by the gateway at /vendor/janus.js) the try-it panel uses.

export interface JanusJsep {
  type: string;
  sdp: string;
}

export interface JanusTrack {
  type: 'audio' | 'video' | 'data';
  capture?: boolean;
  recv?: boolean;
}

export interface JanusPluginHandle {
  getId(): number;
  getPlugin(): string;
  send(options: {
    message: Record<string, unknown>;
    jsep?: JanusJsep;
    success?(data?: Record<string, unknown>): void;
    error?(error: string): void;
  }): void;
  createOffer(options: { tracks: JanusTrack[]; success(jsep: JanusJsep): void; error(error: unknown): void }): void;
  handleRemoteJsep(options: { jsep: JanusJsep; success?(): void; error?(error: unknown): void }): void;
  data(options: { text: string; success?(): void; error?(error: unknown): void }): void;
  hangup(sendRequest?: boolean): void;
  detach(options?: { success?(): void; error?(error: unknown): void }): void;
  /** janus.js's per-handle WebRTC state; `pc` is null until a PeerConnection exists. */
  webrtcStuff: { pc?: RTCPeerConnection | null };
}

export interface JanusAttachCallbacks {
  plugin: string;
  opaqueId?: string;
  success(handle: JanusPluginHandle): void;
  error(error: string): void;
  onmessage?(message: Record<string, unknown>, jsep?: JanusJsep): void;
  onlocaltrack?(track: MediaStreamTrack, on: boolean): void;
  onremotetrack?(track: MediaStreamTrack, mid: string, on: boolean): void;
  ondata?(data: string, label: string): void;
  ondataopen?(label: string): void;
  iceState?(state: string): void;
  webrtcState?(up: boolean, reason?: string): void;
  mediaState?(medium: string, receiving: boolean, mid?: string): void;
  oncleanup?(): void;
  ondetached?(): void;
}

export interface JanusSession {
  attach(callbacks: JanusAttachCallbacks): void;
  destroy(options?: { success?(): void; error?(error: unknown): void }): void;
  getSessionId(): number;
  isConnected(): boolean;
}

export interface JanusStatic {
  init(options: { debug?: boolean | string[]; dependencies?: unknown; callback?(): void }): void;
  useDefaultDependencies(deps?: Record<string, unknown>): unknown;
  new (options: { server: string; success(): void; error(error: string): void; destroyed?(): void }): JanusSession;
}

declare global {
  interface Window {
    Janus?: JanusStatic;
  }
}
