import { SourceMap, type SourceMapPayload } from 'node:module';

/** A QuickJS stack frame: `    at name (file:line:col)` or `    at file:line:col`. */
const FRAME = /^(\s*at\s+(?:.*?\s+\()?)([^\s():]+):(\d+):(\d+)(\)?)\s*$/;

/**
 * Maps the positions in a sandboxed plugin's stack traces (QuickJS, 1-based lines and columns in
 * the bundled module) back to the uploaded source through the bundle's source map.
 */
export class StackMapper {
  readonly #filename: string;
  readonly #map: SourceMap | undefined;

  constructor(filename: string, mapJson: string) {
    this.#filename = filename;
    let map: SourceMap | undefined;
    try {
      map = new SourceMap(JSON.parse(mapJson) as SourceMapPayload);
    } catch (_error) {
      // A map we cannot read only costs the mapping: stacks stay in bundle positions.
      map = undefined;
    }
    this.#map = map;
  }

  /** The stack with each frame in the plugin's module rewritten to its original position. */
  map(stack: string): string {
    const map = this.#map;
    if (!map || stack === '') return stack;
    return (
      stack
        .split('\n')
        // The SDK shim's own frames (and the native `apply` that enters the handler) are noise to the author.
        .filter((line) => !line.includes('(cardea-bootstrap.js:') && !/^\s*at apply \(native\)\s*$/.test(line))
        .map((line) => {
          const m = FRAME.exec(line);
          if (!m || m[2] !== this.#filename) return line;
          const origin = map.findOrigin(Number(m[3]), Number(m[4]));
          if (!('fileName' in origin) || origin.fileName === undefined) return line;
          return `${m[1]}${origin.fileName}:${origin.lineNumber}:${origin.columnNumber}${m[5]}`;
        })
        .join('\n')
    );
  }
}
