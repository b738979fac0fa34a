/**
 * Node/V8 flags the gateway process is started with: by `npm start` (package.json), the `cardea`
 * bin (app/src/main.ts's shebang) and the bench (bench/src/gateway/CardeaProcess.ts). A process
 * cannot set them on itself (V8 sizes its heap at start), hence one list the launchers share.
 *
 * `--max-semi-space-size=4` (MiB; Node 24's default on a 64-bit host is 16): every received
 * datagram is a Buffer over a malloc'ed block that is freed only when its JS object is collected by
 * a scavenge. With a 32 MiB young generation, tens of thousands of dead datagrams wait between
 * scavenges, and V8's young generation plus glibc's heap grow with the packet rate. Measured with
 * `npm run bench -- memory` (one run each, busy 2-core machine): RSS at 100 echo PCs 220 → 178 MiB,
 * idle 156 → 120 MiB, with GC pauses 15.7 → 4.3 ms per second at 100 PCs (smaller scavenges).
 */
export const GATEWAY_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4'];
