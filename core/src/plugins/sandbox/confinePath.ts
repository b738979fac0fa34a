import { isAbsolute, relative, resolve, sep } from 'node:path';

/**
 * A sandboxed plugin's path, resolved inside its media directory: absolute paths and `..` escapes
 * are refused (RangeError), so a plugin reads and writes only its own files.
 */
export function confinePath(mediaDir: string, path: string): string {
  const root = resolve(mediaDir);
  const full = resolve(root, path);
  const rel = relative(root, full);
  if (rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel))
    throw new RangeError(`path ${path} is outside the plugin's media directory`);
  return full;
}
