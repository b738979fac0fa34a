/** A handle id the plugin named that was never attached to it (another plugin's, or made up). */
export class ForeignHandleError extends Error {
  override name = 'ForeignHandleError';
}

/**
 * A call that must return something (an SDP, a forwarder id, a recording id) named a handle that
 * detached meanwhile: there is nothing to return, so it rejects. Calls that only act are ignored instead.
 */
export class HandleGoneError extends Error {
  override name = 'HandleGoneError';
}

/** A mixer id the plugin named that it did not create. */
export class ForeignMixerError extends Error {
  override name = 'ForeignMixerError';
}

/** The plugin was unloaded (or its sandbox stopped): it may not create anything any more. */
export class PluginUnloadedError extends Error {
  override name = 'PluginUnloadedError';
}
