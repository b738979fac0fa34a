import {
  asyncRequest,
  defineRequests,
  definePlugin,
  describeInvalidAsSentence,
  isJsonObject,
  type AsyncRequestContext,
  type HandleId,
  type JsonObject,
  type PluginApi,
} from '@cardea/plugin-sdk';
import { EchoTestError } from './echotestErrors.ts';
import { echoTestSchema, type EchoTestRequest } from './echotestRequest.ts';

const NAME = 'janus.plugin.echotest';

/** Per-handle state. */
interface EchoState {
  audio: boolean;
  video: boolean;
  bitrate: number;
}

const states = new Map<HandleId, EchoState>();

async function apply(handle: HandleId, state: EchoState, request: EchoTestRequest, api: PluginApi): Promise<void> {
  if (request.audio !== undefined && request.audio !== state.audio) {
    state.audio = request.audio;
    await api.media.setSending(handle, 'audio', state.audio);
  }
  if (request.video !== undefined && request.video !== state.video) {
    state.video = request.video;
    await api.media.setSending(handle, 'video', state.video);
  }
  if (request.bitrate !== undefined) {
    state.bitrate = request.bitrate;
    await api.media.setBitrateCap(handle, state.bitrate);
  }
  if (request.keyframe) await api.media.requestKeyframe(handle);
}

/** The request: an offer is answered and echoed back (a route to itself), then the toggles apply. */
async function echo({ message, input: request, api, reply }: AsyncRequestContext<EchoTestRequest>): Promise<void> {
  const { handle, jsep } = message;
  const state = states.get(handle);
  if (!state) return;
  if (jsep?.type === 'offer') {
    const answerOptions: Parameters<PluginApi['negotiate']>[1] = { type: 'answer' };
    if (request.audiocodec) answerOptions.audioCodec = request.audiocodec;
    if (request.videocodec) answerOptions.videoCodec = request.videocodec;
    const answer = await api.negotiate(handle, answerOptions);
    await api.media.addRoute({ from: handle, to: handle });
    await apply(handle, state, request, api);
    await reply({ echotest: 'event', result: 'ok' }, answer);
    return;
  }
  await apply(handle, state, request, api);
  await reply({ echotest: 'event', result: 'ok' });
}

const requests = defineRequests(
  { echo: asyncRequest({ schema: echoTestSchema, hint: "I'm taking my time!", run: echo }) },
  {
    key: 'echotest',
    // The EchoTest has no request names and no mandatory fields: those codes never go out.
    errors: { ...EchoTestError, MISSING_ELEMENT: EchoTestError.INVALID_ELEMENT, INVALID_REQUEST: EchoTestError.INVALID_ELEMENT },
    validate: 'ack',
    describeInvalid: describeInvalidAsSentence,
    requestName: () => 'echo',
    unexpected: (error) => ({ code: EchoTestError.INVALID_SDP, message: `Error processing request: ${String(error)}` }),
  },
);

/**
 * janus.plugin.echotest: echoes the client's audio, video and data back through the media plane
 * (a route from the handle to itself), with Janus's `audio`/`video` toggles and `bitrate` cap.
 */
export default definePlugin({
  name: NAME,
  version: '1.0.0',
  description: 'Echoes audio, video and data back to the sender (Janus EchoTest API)',
  author: 'The Cardea developers',

  createSession({ handle }) {
    states.set(handle, { audio: true, video: true, bitrate: 0 });
  },

  destroySession(handle) {
    states.delete(handle);
  },

  querySession(handle): JsonObject {
    const state = states.get(handle);
    return state ? { audio_active: state.audio, video_active: state.video, bitrate: state.bitrate } : {};
  },

  handleMessage: requests.handleMessage,

  async hangupMedia(handle, api) {
    const state = states.get(handle);
    if (!state) return;
    await api.pushEvent(handle, { data: { echotest: 'event', result: 'done' } });
    state.audio = true;
    state.video = true;
    state.bitrate = 0;
  },

  exportState() {
    const out: JsonObject = {};
    for (const [handle, s] of states) out[String(handle)] = { audio: s.audio, video: s.video, bitrate: s.bitrate };
    return out;
  },

  importState(state) {
    for (const [key, value] of Object.entries(state)) {
      if (!isJsonObject(value)) continue;
      states.set(Number(key), {
        audio: value.audio !== false,
        video: value.video !== false,
        bitrate: typeof value.bitrate === 'number' ? value.bitrate : 0,
      });
    }
  },
});
