/**
 * @cardea/app: the `cardea` program (src/main.ts) and what it composes. The core knows no plugin
 * package; this is the one place the built-ins are named, for the program and for the tests and
 * the bench that start a gateway in-process as the program does.
 */
export { builtinPlugins, builtinSources } from './builtinPlugins.ts';
export { GATEWAY_NODE_FLAGS } from './nodeFlags.ts';
