import type { JanusStatic } from './janusTypes.ts';

let loading: Promise<JanusStatic> | undefined;

function script(src: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const el = document.createElement('script');
    el.src = src;
    el.onload = () => resolve();
    el.onerror = () => reject(new Error(`could not load ${src}`));
    document.head.append(el);
  });
}

/**
 * Loads the stock janus.js and adapter.js the gateway serves (`/vendor/…`, the same files a
 * Janus demo page uses) and initialises janus.js once.
 */
export function loadJanus(): Promise<JanusStatic> {
  loading ??= (async () => {
    await script('/vendor/adapter.js');
    await script('/vendor/janus.js');
    const Janus = window.Janus;
    if (!Janus) throw new Error('janus.js did not define Janus');
    await new Promise<void>((resolve) => Janus.init({ debug: false, dependencies: Janus.useDefaultDependencies(), callback: resolve }));
    return Janus;
  })();
  loading.catch(() => {
    loading = undefined;
  });
  return loading;
}
