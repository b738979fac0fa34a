// The templates a new plugin starts from. They are real TypeScript files under studio/templates,
// typechecked against the SDK by `tsc -p studio` and by the build (vite.config.ts).
import callIndex from '../templates/call/index.ts?raw';
import chatIndex from '../templates/chat/index.ts?raw';
import echoIndex from '../templates/echo/index.ts?raw';
import roomIndex from '../templates/room/index.ts?raw';
import roomModel from '../templates/room/room.ts?raw';

/** A starting point for a plugin. */
export interface PluginTemplate {
  id: string;
  title: string;
  description: string;
  /** Suggested plugin name. */
  suggestedName: string;
  /** The name written in the template's source, replaced by the chosen one. */
  placeholderName: string;
  files: Record<string, string>;
  /** A first message to try it with. */
  tryMessage: Record<string, unknown>;
}

export const templates: readonly PluginTemplate[] = [
  {
    id: 'echo',
    title: 'Echo',
    description: 'Answers every message with an event and routes your camera and microphone back to you.',
    suggestedName: 'my.echo',
    placeholderName: 'studio.echo',
    files: { 'index.ts': echoIndex },
    tryMessage: { hello: 'cardea' },
  },
  {
    id: 'call',
    title: 'Two-party call',
    description: 'Register a name, call someone by name, accept, hang up: media routed between the two.',
    suggestedName: 'my.call',
    placeholderName: 'studio.call',
    files: { 'index.ts': callIndex },
    tryMessage: { request: 'register', username: 'alice' },
  },
  {
    id: 'room',
    title: 'Small room',
    description: 'Participants join and publish; others watch on a second handle. Two files: the plugin and its room model.',
    suggestedName: 'my.room',
    placeholderName: 'studio.room',
    files: { 'index.ts': roomIndex, 'room.ts': roomModel },
    tryMessage: { request: 'join', display: 'alice' },
  },
  {
    id: 'chat',
    title: 'Data-channel chat',
    description: 'Join with a name and chat: lines go out over WebRTC data channels (and as events).',
    suggestedName: 'my.chat',
    placeholderName: 'studio.chat',
    files: { 'index.ts': chatIndex },
    tryMessage: { request: 'join', username: 'alice' },
  },
];

/** The template's files with its placeholder name replaced by `name`. */
export function instantiate(template: PluginTemplate, name: string): Record<string, string> {
  const quoted = new RegExp(`(['"])${template.placeholderName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\1`, 'g');
  return Object.fromEntries(
    Object.entries(template.files).map(([path, text]) => [path, text.replace(quoted, (_m, q: string) => `${q}${name}${q}`)]),
  );
}

/** Plugin names the gateway accepts (as PluginRegistry checks them). */
export const PLUGIN_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
