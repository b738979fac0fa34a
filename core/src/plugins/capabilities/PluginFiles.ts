import type { MjrFileOpener } from '../../media/recording/MjrWriter.ts';

/**
 * How the plugin API opens the files a plugin names (played announcements, mix recordings, `.mjr`
 * recordings). Built-ins are trusted and get none: their paths go to the media plane as given. A
 * sandboxed plugin's host passes its confined view of the plugin's media directory
 * (`sandbox/ConfinedFiles.ts`: no symlinks, regular files only, bounded file work), so the checks
 * happen where the file is opened, once, whichever call names it.
 */
export interface PluginFiles {
  /** The absolute path a plugin-given path names (for logs and listings); throws when it is refused. */
  resolve(path: string): { full: string };
  /** Reads a whole file the plugin may read. */
  readFile(path: string): Promise<{ bytes: Uint8Array; full: string }>;
  /** Opens (creates or truncates) a file the plugin may write; the caller owns the descriptor. */
  openForWrite(path: string): Promise<{ fd: number; full: string }>;
  /** Opens a file the plugin may write behind the recorder's file interface. */
  openWritable: MjrFileOpener;
}
