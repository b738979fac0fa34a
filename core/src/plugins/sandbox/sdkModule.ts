// The module `@cardea/plugin-sdk` as a sandboxed plugin imports it, generated from plugin-sdk/src:
// esbuild bundles the SDK's index (and whatever it imports, npm packages included) into one ES
// module that QuickJS evaluates before the plugin. So `definePlugin`, `ok`, `SDK_VERSION`, the
// contract lists and anything the SDK adds later are the very code built-ins run, never a second
// copy. Generated on first use and cached for the process (a few tens of milliseconds).
import { createRequire } from 'node:module';

/** The module specifier plugins import the SDK by. */
export const SDK_MODULE_NAME = '@cardea/plugin-sdk';

let generated: Promise<string> | undefined;

/** The SDK module's source (ESM), bundled from plugin-sdk/src on the first call. */
export function sdkModuleSource(): Promise<string> {
  generated ??= bundleSdkModule().catch((error: unknown) => {
    generated = undefined; // a failed build is retried by the next load
    throw error;
  });
  return generated;
}

/** The SDK's entry (plugin-sdk/src/index.ts). */
export function sdkEntry(): string {
  return createRequire(import.meta.url).resolve(SDK_MODULE_NAME);
}

/**
 * Bundles the SDK module: from its entry, or (tests, measurements) from `contents` resolved in
 * `resolveDir`, e.g. an entry that adds a re-export to the SDK's.
 */
export async function bundleSdkModule(stdin?: { contents: string; resolveDir: string }): Promise<string> {
  // esbuild is imported here, not at the top: a gateway that never runs a user plugin never loads it.
  const { build } = await import('esbuild');
  const result = await build({
    ...(stdin ? { stdin: { ...stdin, loader: 'ts' as const, sourcefile: 'sdk-entry.ts' } } : { entryPoints: [sdkEntry()] }),
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2023',
    write: false,
    minify: true,
    keepNames: true,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]?.text;
  if (code === undefined) throw new Error('esbuild produced no SDK module');
  return code;
}
