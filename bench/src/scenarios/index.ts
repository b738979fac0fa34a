// The scenarios `npm run bench -- <name>` knows. To add one: a file in this folder exporting a
// `Scenario`, and one line below.
import type { Scenario } from '../BenchTypes.ts';
import { audiobridge } from './audiobridge.ts';
import { audiobridge1000 } from './audiobridge1000.ts';
import { builtinHost } from './builtinHost.ts';
import { audiobridgeGateway, audiobridgeGatewayActive } from './audiobridgeGateway.ts';
import { audiobridgeRoom, audiobridgeRoomAuto } from './audiobridgeRoom.ts';
import { echotest } from './echotest.ts';
import { fanout } from './fanout.ts';
import { mcuVsSfu } from './mcuVsSfu.ts';
import { memory } from './memory.ts';
import { reload } from './reload.ts';
import { signalling } from './signalling.ts';
import { videoroom, videoroomMultistream } from './videoroom.ts';

/** Scenario name → scenario. */
export const scenarios: Record<string, Scenario> = {
  signalling,
  reload,
  fanout,
  memory,
  echotest,
  videoroom,
  'videoroom-multistream': videoroomMultistream,
  audiobridge,
  'audiobridge-gateway': audiobridgeGateway,
  'audiobridge-gateway-active': audiobridgeGatewayActive,
  'audiobridge-room': audiobridgeRoom,
  'audiobridge-room-auto': audiobridgeRoomAuto,
  'audiobridge-1000': audiobridge1000,
  'mcu-vs-sfu': mcuVsSfu,
  'builtin-host': builtinHost,
};
