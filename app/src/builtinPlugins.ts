import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DefinedPlugin } from '@cardea/plugin-sdk';
import audiobridge from '@cardea/plugin-audiobridge';
import echotest from '@cardea/plugin-echotest';
import videocall from '@cardea/plugin-videocall';
import videoroom from '@cardea/plugin-videoroom';

/** The plugins that ship with Cardea: what `cardea` (main.ts) passes to `Gateway.start`. */
export const builtinPlugins: readonly DefinedPlugin[] = [echotest, videocall, videoroom, audiobridge];

/** The folder of a plugin package's entry (its `src/`, as the package's `exports` names it). */
function sourceFolder(specifier: string): string {
  return path.dirname(fileURLToPath(import.meta.resolve(specifier)));
}

/**
 * Where each built-in's sources are (plugin name → its `src/` folder), for `Gateway.start`'s
 * `builtinSources`: the Admin API hands them to the studio, which shows and forks them.
 */
export const builtinSources: ReadonlyMap<string, string> = new Map([
  [echotest.name, sourceFolder('@cardea/plugin-echotest')],
  [videocall.name, sourceFolder('@cardea/plugin-videocall')],
  [videoroom.name, sourceFolder('@cardea/plugin-videoroom')],
  [audiobridge.name, sourceFolder('@cardea/plugin-audiobridge')],
]);
