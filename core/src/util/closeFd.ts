import { closeSync } from 'node:fs';

/**
 * Closes a raw descriptor that nothing will use (a file handed over and then refused). A failure
 * leaves nothing to undo: the descriptor was already closed or invalid.
 */
export function closeFdQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // EBADF: already closed; EIO on close: the descriptor is released anyway.
  }
}
