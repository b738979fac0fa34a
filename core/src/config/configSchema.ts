import { z } from 'zod';
import { logLevels } from '../util/logger.ts';

const port = z.number().int().min(0).max(65535);
const ipv4or6 = z.union([z.ipv4(), z.ipv6()]);

/** The limits of a sandbox, with the defaults of its use (user plugins, or built-ins run sandboxed). */
function sandboxLimits(d: {
  memoryMb: number;
  deadlineMs: number;
  cpuMsPerSecond: number;
  maxCallsPerSecond: number;
  maxCallBytes: number;
  maxLogLinesPerSecond: number;
}) {
  return z
    .object({
      /** WebAssembly memory cap of one plugin version, in MiB; the QuickJS heap lives in it (user plugins: default 64, at least 17). */
      memoryMb: z.number().int().min(17).max(4096).default(d.memoryMb),
      /** Milliseconds one call into the plugin (handler, timer, promise jobs) may run before it is stopped (user plugins: default 100). */
      deadlineMs: z.number().int().min(5).max(60_000).default(d.deadlineMs),
      /** Milliseconds of sandbox time one plugin version may use per second, summed over calls and timers (user plugins: default 500). */
      cpuMsPerSecond: z.number().int().min(10).max(1000).default(d.cpuMsPerSecond),
      /** Milliseconds the core waits for an async handler to settle before answering with an error (default 15000). */
      callTimeoutMs: z.number().int().min(100).default(15_000),
      /** Events, data messages and media calls one plugin version may make per second; more are refused (user plugins: default 1000). */
      maxCallsPerSecond: z.number().int().min(1).default(d.maxCallsPerSecond),
      /** Largest serialised argument of one API call, e.g. an event, in bytes (user plugins: default 65536). */
      maxCallBytes: z.number().int().min(1024).default(d.maxCallBytes),
      /** Log lines per second kept from one plugin version; more are counted and dropped (user plugins: default 200). */
      maxLogLinesPerSecond: z.number().int().min(1).default(d.maxLogLinesPerSecond),
    })
    .prefault({});
}

/**
 * Cardea's configuration. Every field has a default, so `{}` is a valid config file.
 * The file is JSON; CLI flags and CARDEA_* environment variables override it (see loadConfig.ts).
 */
export const configSchema = z
  .object({
    general: z
      .object({
        /** Name shown as `server-name` in `server_info` (default "Cardea"). */
        serverName: z.string().default('Cardea'),
        /** Seconds without a request or long poll before a session expires; 0 disables (default 60, as Janus). */
        sessionTimeout: z.number().min(0).default(60),
        /** Seconds a session whose WebSocket closed waits for a `claim` (default 0: destroyed at once, as Janus). */
        reclaimSessionTimeout: z.number().min(0).default(0),
        /** Seconds early trickle candidates wait for their SDP (default 45, as Janus). */
        candidatesTimeout: z.number().min(0).default(45),
        /** When set, every Janus API request but info/ping must carry `apisecret` (default: none). */
        apiSecret: z.string().min(1).optional(),
        /** Secret for the Admin API. With none configured, `npm start` generates one and prints it once. */
        adminSecret: z.string().min(1).optional(),
        /** Log level (default "info"). */
        logLevel: z.enum(logLevels).default('info'),
        /** Accept new sessions at start (default true). */
        acceptNewSessions: z.boolean().default(true),
        /** Most events kept per HTTP session between long polls; the oldest are dropped and counted beyond it (default 1000). */
        maxQueuedEvents: z.number().int().min(1).default(1000),
        /**
         * Stored-token authentication (Janus `token_auth`): every Janus API request but info/ping must carry a
         * `token` added through the Admin API (`add_token`), or a valid `apisecret` (default false).
         */
        tokenAuth: z.boolean().default(false),
      })
      .prefault({}),
    transports: z
      .object({
        /** Janus API over WebSocket, subprotocol `janus-protocol`. */
        websocket: z
          .object({
            enabled: z.boolean().default(true),
            /** Address to bind (default loopback). */
            ip: ipv4or6.default('127.0.0.1'),
            /** Port (default 8188, as Janus). */
            port: port.default(8188),
            /** Largest accepted frame in bytes (default 1 MiB). */
            maxPayload: z.number().int().min(1024).default(1 << 20),
          })
          .prefault({}),
        /** Janus API over HTTP REST + long poll, plus the demo page. */
        http: z
          .object({
            enabled: z.boolean().default(true),
            ip: ipv4or6.default('127.0.0.1'),
            /** Port (default 8088, as Janus). */
            port: port.default(8088),
            /** Base path of the API (default "/janus"). */
            basePath: z.string().startsWith('/').default('/janus'),
            /** Seconds a long poll waits before answering a keepalive (default 30, as Janus). */
            longPollTimeout: z.number().min(0.05).default(30),
            /** CORS origin to allow; default "*". */
            allowOrigin: z.string().optional(),
            /** Largest accepted request body in bytes (default 1 MiB). */
            maxBody: z.number().int().min(1024).default(1 << 20),
          })
          .prefault({}),
        /** Admin API over HTTP (`/admin`) and WebSocket (`janus-admin-protocol`) on one port. */
        admin: z
          .object({
            enabled: z.boolean().default(true),
            ip: ipv4or6.default('127.0.0.1'),
            /** Port (default 7088). */
            port: port.default(7088),
            basePath: z.string().startsWith('/').default('/admin'),
            /** Largest accepted request body or frame in bytes; plugin sources travel here (default 8 MiB). */
            maxBody: z.number().int().min(1024).default(8 << 20),
          })
          .prefault({}),
      })
      .prefault({}),
    webrtc: z
      .object({
        /** Addresses to gather host candidates on and advertise (default ["127.0.0.1"]). */
        iceIp: z.array(ipv4or6).min(1).default(['127.0.0.1']),
        /** Public address to announce instead of the gathered one (NAT 1:1; default none). */
        nat11: ipv4or6.optional(),
        /** UDP port range for ICE, [min, max] (default: any free port). */
        portRange: z
          .tuple([port, port])
          .refine(([a, b]) => a < b, 'portRange min must be below max')
          .optional(),
        /** Run ICE-lite (default true: 2.6x less idle CPU per PeerConnection, see shared/research/werift.md). */
        iceLite: z.boolean().default(true),
        /** STUN server "host:port" for full ICE (default none: never a built-in public server). */
        stunServer: z
          .string()
          .regex(/^[^:]+:\d+$/, 'stunServer must be host:port')
          .optional(),
        /** Seconds without media before `media receiving:false` (default 1, as Janus's no_media_timer). */
        noMediaTimer: z.number().min(0.1).default(1),
        /**
         * Multicast DNS resolution of remote `.local` candidates (browsers hide local addresses behind
         * them). Off by default: such candidates are ignored and counted, as Janus with `ignore_mdns`.
         */
        mdns: z
          .object({
            /** Resolve `.local` candidates (default false; `server_info` reports it as `mdns-enabled`). */
            enabled: z.boolean().default(false),
            /**
             * IPv4 address of the interface to query on; the gateway's one mDNS socket binds to it
             * (default: the first IPv4 `iceIp`). 0.0.0.0 only when given here.
             */
            ip: z.ipv4().optional(),
            /**
             * Local UDP port of that socket (default 0: an ephemeral port, whose one-shot queries are
             * answered by unicast, RFC 6762 §5.1 and §6.7, so it never competes with avahi for 5353).
             * 5353 makes it a full querier on the mDNS port instead.
             */
            port: port.default(0),
            /** Milliseconds a lookup waits for an answer before the candidate is dropped (default 2000). */
            timeoutMs: z.number().int().min(50).max(30_000).default(2000),
            /** Most lookups in flight for the whole gateway; more candidates are dropped (default 64). */
            maxPending: z.number().int().min(1).max(4096).default(64),
          })
          .prefault({}),
      })
      .prefault({}),
    /** Plugins: how the built-ins are hosted, where deployed user plugins are stored, and the limits of the sandbox. */
    plugins: z
      .object({
        /**
         * Directory where deployed user plugins are stored by content hash and reloaded from at start;
         * relative paths are resolved against the working directory (default "data/plugins").
         */
        dir: z.string().min(1).default('data/plugins'),
        /**
         * How the built-in plugins run: 'in-process' (trusted code, called directly) or 'sandbox'
         * (each one bundled at start from its own source files and run in a QuickJS sandbox like a
         * user plugin, under the same Janus name, with `builtinSandbox`'s limits: the proof that
         * built-ins need nothing a user plugin cannot have; see bench `--builtin-host` for its cost).
         * Default 'in-process'.
         */
        builtinHost: z.enum(['in-process', 'sandbox']).default('in-process'),
        /** Limits of each user plugin version's sandbox. */
        sandbox: sandboxLimits({ memoryMb: 64, deadlineMs: 100, cpuMsPerSecond: 500, maxCallsPerSecond: 1000, maxCallBytes: 64 * 1024, maxLogLinesPerSecond: 200 }),
        /**
         * Limits of each built-in's sandbox when `builtinHost` is 'sandbox' (the same fields as
         * `sandbox`). A built-in is trusted code serving whole rooms, so its defaults are wider:
         * memoryMb 256, deadlineMs 1000, cpuMsPerSecond 1000, maxCallsPerSecond 100000,
         * maxCallBytes 1048576, maxLogLinesPerSecond 1000, callTimeoutMs 15000.
         */
        builtinSandbox: sandboxLimits({
          memoryMb: 256,
          deadlineMs: 1000,
          cpuMsPerSecond: 1000,
          maxCallsPerSecond: 100_000,
          maxCallBytes: 1024 * 1024,
          maxLogLinesPerSecond: 1000,
        }),
      })
      .prefault({}),
    /** Cardea's own media path (issue #3). */
    media: z
      .object({
        /**
         * Engine of the SRTP fan-out path (core/src/media/srtp): 'wasm' (wasm/build/cardea.wasm, one
         * call per packet for all subscribers) or 'node' (the node:crypto baseline). Default 'wasm':
         * see core/src/media/srtp/README.md for the measurements behind it.
         */
        srtpEngine: z.enum(['wasm', 'node']).default('wasm'),
        /**
         * Who moves RTP: 'fast' (Cardea's own SRTP/RTP/RTCP on the raw datagrams, werift keeps ICE,
         * DTLS and SCTP) or 'werift' (werift's per-packet path, ~42 µs per forwarded packet). Default 'fast'.
         */
        plane: z.enum(['werift', 'fast']).default('fast'),
        /**
         * Where the AudioBridge mixers run: 'worker' (one worker thread for all mixers, so the 20 ms
         * mix clock is not delayed by packet handling, handshakes and signalling on the main event
         * loop; packets and frames cross through shared-memory rings) or 'main' (in the main event
         * loop). Default 'worker'.
         */
        audioMixerThread: z.enum(['worker', 'main']).default('worker'),
        /**
         * Nice value of the mixer worker thread (Linux, −20…19): below 0 the OS runs the mix clock
         * ahead of the main thread and other processes when the core is contended; needs
         * CAP_SYS_NICE (a failure is logged and the thread keeps its priority). Default 0 (inherit).
         */
        audioMixerNice: z.number().int().min(-20).max(19).default(0),
      })
      .prefault({}),
    /** Serve the demo page on the HTTP port (default true). */
    demo: z.object({ enabled: z.boolean().default(true) }).prefault({}),
  })
  .strict();

/** The validated configuration with every default applied. */
export type CardeaConfig = z.output<typeof configSchema>;
/** What a config file may hold. */
export type CardeaConfigInput = z.input<typeof configSchema>;
