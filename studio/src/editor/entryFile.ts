/** The file a plugin starts from, at the root of the studio's project (its own module, free of Monaco, for the deploy helpers and their tests). */
export const ENTRY_FILE = 'index.ts';
