// The scenarios `npm run bench -- <name>` knows. To add one: a file in this folder exporting a
// `Scenario`, and one line below.
import type { Scenario } from '../BenchTypes.ts';
import { audiobridge } from './audiobridge.ts';
import { audiobridgeGateway, audiobridgeGatewayActive } from './audiobridgeGateway.ts';
import { echotest } from './echotest.ts';
import { fanout } from './fanout.ts';
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
};
