import type { DefinedPlugin } from '@cardea/plugin-sdk';
import echotest from '@cardea/plugin-echotest';

/** The plugins that ship with Cardea, loaded in-process at start. */
export const builtinPlugins: readonly DefinedPlugin[] = [echotest];
