/**
 * Splits a frame that may hold several JSON objects back to back (Janus's WebSocket transport
 * accepts that) into parsed values. Returns undefined when any part fails to parse. Hand-written
 * because JSON.parse takes exactly one value and no maintained library does just this.
 */
export function parseJsonFrames(text: string): unknown[] | undefined {
  try {
    return [JSON.parse(text)];
  } catch {
    // not a single value: try concatenated objects below
  }
  const values: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  let escaped = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (ch === '\\') escaped = true;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '{') {
      if (depth === 0) start = i;
      depth++;
    } else if (ch === '}') {
      depth--;
      if (depth < 0) return undefined;
      if (depth === 0) {
        try {
          values.push(JSON.parse(text.slice(start, i + 1)));
        } catch {
          return undefined;
        }
      }
    } else if (depth === 0 && ch !== undefined && !/\s/.test(ch)) return undefined;
  }
  return depth === 0 && values.length > 0 ? values : undefined;
}
