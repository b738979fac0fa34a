import type { PluginLanguage } from './sandbox/compilePlugin.ts';

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

/** A deploy request, as the Admin API validated it. */
export interface DeployRequest {
  name: string;
  source: string;
  language: PluginLanguage;
  sourcemap?: string | undefined;
}
