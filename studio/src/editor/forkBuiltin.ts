// Forking a built-in: its files copied under a new plugin name, the name the plugin registers as
// (`definePlugin({ name })`, or the constant it reads it from) rewritten.

/** Why a fork could not be made. */
export class ForkError extends Error {
  override name = 'ForkError';
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The files of `builtin` with every string literal that is exactly its name (`'janus.plugin.echotest'`,
 * in single, double or back quotes) replaced by `name`. Comments and longer strings that merely
 * mention the name are left as they are. Throws a ForkError when no file holds the name as a
 * literal, since the copy would then still register under the built-in's name.
 */
export function forkFiles(files: Record<string, string>, builtin: string, name: string): Record<string, string> {
  const literal = new RegExp(`(['"\`])${escapeRegExp(builtin)}\\1`, 'g');
  let rewritten = 0;
  const copy: Record<string, string> = {};
  for (const [path, text] of Object.entries(files)) {
    copy[path] = text.replace(literal, (_match, quote: string) => {
      rewritten++;
      return `${quote}${name}${quote}`;
    });
  }
  if (rewritten === 0) throw new ForkError(`none of the files of ${builtin} names it as a string literal: cannot rename the copy`);
  return copy;
}

/** `janus.plugin.videoroom` → `my.videoroom`: the name a fork is offered under. */
export function suggestedForkName(builtin: string): string {
  const last = builtin.split('.').pop() ?? builtin;
  return `my.${last === '' ? 'plugin' : last}`;
}

/** A first try-it message for a fork of each built-in (what its demo page sends first). */
const FIRST_MESSAGES: Record<string, Record<string, unknown>> = {
  'janus.plugin.echotest': { audio: true, video: true },
  'janus.plugin.videocall': { request: 'list' },
  'janus.plugin.videoroom': { request: 'list' },
  'janus.plugin.audiobridge': { request: 'list' },
};

/** What the try-it panel offers to send first to a fork of `builtin`. */
export function firstMessageFor(builtin: string): Record<string, unknown> {
  return FIRST_MESSAGES[builtin] ?? {};
}
