import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DefinedPlugin } from '@cardea/plugin-sdk';
import type { BuiltinSource } from '@cardea/core';
import audiobridge from '@cardea/plugin-audiobridge';
import echotest from '@cardea/plugin-echotest';
import streaming from '@cardea/plugin-streaming';
import videocall from '@cardea/plugin-videocall';
import videoroom from '@cardea/plugin-videoroom';

/** The plugins that ship with Cardea: what `cardea` (main.ts) passes to `Gateway.start`. */
export const builtinPlugins: readonly DefinedPlugin[] = [echotest, videocall, videoroom, audiobridge, streaming];

/** Each built-in's package, by the Janus name it declares. */
const packages: ReadonlyArray<[DefinedPlugin, string]> = [
  [echotest, '@cardea/plugin-echotest'],
  [videocall, '@cardea/plugin-videocall'],
  [videoroom, '@cardea/plugin-videoroom'],
  [audiobridge, '@cardea/plugin-audiobridge'],
  [streaming, '@cardea/plugin-streaming'],
];

/**
 * Where each built-in's source files are (its package's folder and `src/index.ts`, the package's
 * export), for `plugins.builtinHost: "sandbox"`, which bundles and runs them like user plugins.
 */
export const builtinSources: readonly BuiltinSource[] = packages.map(([definition, specifier]) => {
  const entryFile = fileURLToPath(import.meta.resolve(specifier));
  const root = path.dirname(path.dirname(entryFile));
  return { name: definition.name, root, entry: path.relative(root, entryFile) };
});
