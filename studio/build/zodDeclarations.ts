// Build-time collection of zod's type declarations for Monaco. The SDK re-exports zod (`z`, its
// schema builder), so the SDK's folded declarations say `import { z } from 'zod'`; Monaco's
// TypeScript worker resolves that against extra libs under file:///node_modules/zod/, which are
// the .d.ts files zod ships, from its index.d.ts through every relative import (its locales and
// the v3/mini builds that the SDK's `z` never reaches are left out).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** zod's declarations the SDK's `z` reaches: path relative to zod's package folder → text. */
export function zodDeclarations(zodDir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const pending = ['index.d.ts'];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (file in files) continue;
    const text = readFileSync(path.join(zodDir, file), 'utf8');
    files[file] = text;
    for (const { fileName } of ts.preProcessFile(text, true, true).importedFiles) {
      if (!fileName.startsWith('.')) continue;
      // zod's declarations import `./x.js`; the declaration beside it is `./x.d.ts`.
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), fileName.replace(/\.c?js$/, '.d.ts')));
      if (target.startsWith('..')) continue;
      pending.push(target.endsWith('.d.ts') ? target : `${target}.d.ts`);
    }
  }
  return files;
}
