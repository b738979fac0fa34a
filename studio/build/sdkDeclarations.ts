// Build-time generation of the plugin SDK's type declarations for Monaco: the TypeScript compiler
// emits declarations of plugin-sdk/src, and they are folded into one ambient
// `declare module '@cardea/plugin-sdk' { ... }`, so completion, hover docs and type errors in the
// studio come from the very sources the gateway runs.
import path from 'node:path';
import ts from 'typescript';

/** The module name plugins import. */
export const SDK_MODULE = '@cardea/plugin-sdk';

/** A declaration or template check that failed at build time. */
export class SdkDeclarationError extends Error {
  override name = 'SdkDeclarationError';
}

/** The SDK's declarations, emitted in memory by the TypeScript compiler (file name → text). */
function emitDeclarations(sdkSrc: string): Map<string, string> {
  const options: ts.CompilerOptions = {
    declaration: true,
    emitDeclarationOnly: true,
    allowImportingTsExtensions: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    strict: true,
    skipLibCheck: true,
    types: [],
  };
  const program = ts.createProgram([path.join(sdkSrc, 'index.ts')], options);
  const out = new Map<string, string>();
  const result = program.emit(undefined, (fileName, text) => out.set(path.basename(fileName), text), undefined, true);
  const errors = [...ts.getPreEmitDiagnostics(program), ...result.diagnostics].filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length > 0) throw new SdkDeclarationError(ts.formatDiagnostics(errors, formatHost));
  return out;
}

const formatHost: ts.FormatDiagnosticsHost = {
  getCanonicalFileName: (f) => f,
  getCurrentDirectory: () => process.cwd(),
  getNewLine: () => '\n',
};

/** Relative imports and re-exports between the SDK's own files (multi-line forms included). */
const LOCAL_IMPORT = /^import\s[^;]*?from\s*['"]\.{1,2}\/[^'"]*['"];?[ \t]*\n?/gm;
const LOCAL_REEXPORT = /^export\s[^;]*?from\s*['"]\.{1,2}\/[^'"]*['"];?[ \t]*\n?/gm;

/**
 * One ambient module with every declaration of the SDK. The files' local imports and the index's
 * re-exports disappear (all names share the module's scope), and `declare` modifiers are dropped
 * since the module block is already ambient.
 */
export function sdkDeclarations(sdkSrc: string): string {
  const files = emitDeclarations(sdkSrc);
  const parts: string[] = [];
  for (const [name, text] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
    const body = text
      .replace(LOCAL_IMPORT, '')
      .replace(LOCAL_REEXPORT, '')
      .replace(/^export \{\};?\s*$/gm, '')
      .replace(/^(\s*)export declare /gm, '$1export ')
      .replace(/^(\s*)declare /gm, '$1')
      .trim();
    if (body !== '') parts.push(`// ${name}\n${body}`);
  }
  const indented = parts.join('\n\n').replace(/^(?=.)/gm, '  ');
  return `// Generated from plugin-sdk/src at build time: do not edit.\ndeclare module '${SDK_MODULE}' {\n${indented}\n}\n`;
}

/**
 * Typechecks plugin sources against the generated declarations, as the studio's editor will, so a
 * template that no longer matches the SDK (or a declaration the fold broke) fails the build.
 */
export function checkAgainstDeclarations(declarations: string, sources: Record<string, string>): void {
  const root = '/studio-check/';
  const files = new Map<string, string>([[`${root}cardea-plugin-sdk.d.ts`, declarations]]);
  for (const [name, text] of Object.entries(sources)) files.set(root + name, text);
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    allowImportingTsExtensions: true,
    noEmit: true,
    strict: true,
    lib: ['lib.es2023.d.ts'],
    types: [],
    // The SDK re-exports zod (its schema builder): resolve it from the repository's node_modules.
    paths: { zod: [path.resolve(import.meta.dirname, '../../node_modules/zod')] },
  };
  const base = ts.createCompilerHost(options);
  const host: ts.CompilerHost = {
    ...base,
    fileExists: (f) => files.has(f) || base.fileExists(f),
    directoryExists: (d) => d.startsWith(root.slice(0, -1)) || (base.directoryExists?.(d) ?? false),
    readFile: (f) => files.get(f) ?? base.readFile(f),
    getSourceFile: (f, lang) => {
      const text = files.get(f);
      return text !== undefined ? ts.createSourceFile(f, text, lang) : base.getSourceFile(f, lang);
    },
  };
  const program = ts.createProgram([...files.keys()], options, host);
  // zod's own declarations name host types (URL) a plugin has no lib for; they are not ours to check.
  const errors = ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.category === ts.DiagnosticCategory.Error && !d.file?.fileName.includes('/node_modules/'));
  if (errors.length > 0)
    throw new SdkDeclarationError(`templates do not typecheck against the SDK:\n${ts.formatDiagnostics(errors, formatHost)}`);
}
