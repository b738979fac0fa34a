// Vite build of Cardea Studio. `npm run studio:build` writes studio/dist, which the gateway serves
// at /studio/ on its HTTP port; `npm run studio:dev` runs the dev server with hot module reload,
// proxying the Janus API, the vendor scripts and the Admin API to a running gateway.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import { checkAgainstDeclarations, sdkDeclarations } from './build/sdkDeclarations.ts';
import { zodDeclarations } from './build/zodDeclarations.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const sdkSrc = path.resolve(here, '../plugin-sdk/src');
const templatesDir = path.resolve(here, 'templates');
const pluginsDir = path.resolve(here, '../plugins');
const zodDir = path.resolve(here, '../node_modules/zod');

/** Where `studio:dev` finds the gateway (defaults: `npm start`'s ports). */
const gatewayHttp = process.env.CARDEA_HTTP ?? 'http://127.0.0.1:8088';
const gatewayAdmin = process.env.CARDEA_ADMIN ?? 'http://127.0.0.1:7088';

/** Every template file, as `<template>/<file>` → text. */
function templateSources(): Record<string, string> {
  const sources: Record<string, string> = {};
  for (const entry of readdirSync(templatesDir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const full = path.join(entry.parentPath, entry.name);
    sources[path.relative(templatesDir, full).split(path.sep).join('/')] = readFileSync(full, 'utf8');
  }
  return sources;
}

/**
 * Every built-in's sources, as `builtin-<plugin>/<file>` → text: the studio forks them (from the
 * gateway's `get_builtin_source`), so they must typecheck in its editor as they are.
 */
function builtinSources(): Record<string, string> {
  const sources: Record<string, string> = {};
  for (const plugin of readdirSync(pluginsDir, { withFileTypes: true })) {
    if (!plugin.isDirectory()) continue;
    const src = path.join(pluginsDir, plugin.name, 'src');
    for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
      const full = path.join(entry.parentPath, entry.name);
      sources[`builtin-${plugin.name}/${path.relative(src, full).split(path.sep).join('/')}`] = readFileSync(full, 'utf8');
    }
  }
  return sources;
}

/**
 * `virtual:cardea-sdk-types`: the SDK's declarations as one ambient module (for Monaco's
 * addExtraLib), regenerated when an SDK source changes. The templates and the built-ins' sources
 * are typechecked against them, so a template or a fork the SDK no longer accepts fails the build.
 */
function sdkTypes(): Plugin {
  const id = 'virtual:cardea-sdk-types';
  const resolved = `\0${id}`;
  return {
    name: 'cardea-sdk-types',
    resolveId: (source) => (source === id ? resolved : undefined),
    load(source) {
      if (source !== resolved) return undefined;
      for (const file of readdirSync(sdkSrc)) this.addWatchFile(path.join(sdkSrc, file));
      const declarations = sdkDeclarations(sdkSrc);
      checkAgainstDeclarations(declarations, { ...templateSources(), ...builtinSources() });
      return `export default ${JSON.stringify(declarations)};`;
    },
  };
}

/**
 * `virtual:cardea-zod-types`: zod's declarations (path under its package folder → text), which
 * the SDK's declarations import for `z`; Monaco gets them as extra libs under node_modules/zod.
 */
function zodTypes(): Plugin {
  const id = 'virtual:cardea-zod-types';
  const resolved = `\0${id}`;
  return {
    name: 'cardea-zod-types',
    resolveId: (source) => (source === id ? resolved : undefined),
    load: (source) => (source === resolved ? `export default ${JSON.stringify(zodDeclarations(zodDir))};` : undefined),
  };
}

export default defineConfig({
  base: '/studio/',
  root: here,
  plugins: [sdkTypes(), zodTypes()],
  worker: { format: 'es' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Monaco's editor and TypeScript worker are large by nature; they load once and are cached.
    chunkSizeWarningLimit: 8000,
    sourcemap: false,
  },
  server: {
    proxy: {
      '/janus': gatewayHttp,
      '/vendor': gatewayHttp,
      '/studio/config.json': gatewayHttp,
      '/admin': { target: gatewayAdmin, ws: true },
    },
  },
});
