import type { DefinedPlugin } from '@cardea/plugin-sdk';
import audiobridge from '@cardea/plugin-audiobridge';
import echotest from '@cardea/plugin-echotest';
import streaming from '@cardea/plugin-streaming';
import videocall from '@cardea/plugin-videocall';
import videoroom from '@cardea/plugin-videoroom';

/** The plugins that ship with Cardea: what `cardea` (main.ts) passes to `Gateway.start`. */
export const builtinPlugins: readonly DefinedPlugin[] = [echotest, videocall, videoroom, audiobridge, streaming];
