import type { PluginSource } from './sandbox/compilePlugin.ts';

// The wire shapes of list_plugins, deploy/rollback, plugin_logs and the event stream are the
// Admin API's, one module shared with the studio and the tests.
export type {
  DeployOutcome,
  PluginListing,
  PluginLogEntry,
  PluginState as UserPluginState,
  PluginStreamEvent,
  PluginVersionInfo,
} from '@cardea/admin-types';

/** A deploy request, as the Admin API validated it: a name and one module or a set of files. */
export type DeployRequest = PluginSource;
