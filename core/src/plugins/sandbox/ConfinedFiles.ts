// The files of one sandboxed plugin: every path it names is opened inside its media directory
// without following a symbolic link anywhere below that directory, and only regular files are read
// or written. The issue this closes: a symlink (or a symlinked folder) placed in the media
// directory made a recording replace a file elsewhere, and `playFile` on a FIFO blocked libuv's
// thread pool, stalling the rest of the gateway.
//
// How: the path is walked one component at a time from an open descriptor of the media directory.
// On Linux each step opens `/proc/self/fd/<parent>/<name>` with O_NOFOLLOW, which behaves like
// openat(parent, name, O_NOFOLLOW): the parent is the directory already opened, not a path looked
// up again, so swapping a folder for a symlink between two steps does not redirect the walk (no
// time-of-check/time-of-use gap). Elsewhere (no /proc) the walk uses path prefixes: each component
// is still opened with O_NOFOLLOW, but a folder swapped for a symlink between two steps can
// redirect the rest of the walk; that window is what remains there.
//
// The final component is opened with O_NOFOLLOW | O_NONBLOCK (a FIFO opens at once instead of
// waiting for a writer; writing to a FIFO without a reader fails with ENXIO), then fstat refuses
// anything but a regular file. Files opened for writing are truncated only after that check, and
// must not have other hard links (a hard link to a file elsewhere would otherwise be overwritten).
// Every step goes through the gateway-wide FileWorkLimiter, so plugin file work holds at most its
// `concurrency` thread-pool threads at once and each call answers within its timeout; one plugin
// has at most `maxPending` opens and reads waiting or running at once.
//
// Not covered: the media directory itself is trusted as configured (its own path may contain
// symlinks, e.g. a symlinked /tmp); an entry swapped for a symlink *after* it was opened does not
// matter (the descriptor is kept).
import { constants, existsSync, close as closeCb, fstat as fstatCb, ftruncate as ftruncateCb, open as openCb, read as readCb, write as writeCb, type Stats } from 'node:fs';
import { lstat, mkdir } from 'node:fs/promises';
import { isAbsolute, join, normalize, relative, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import { closeFdQuietly } from '../../util/closeFd.ts';
import { FileWorkBusyError, pluginFileWork, type FileWorkLimiter } from './FileWorkLimiter.ts';

const openFd = promisify(openCb);
const fstatFd = promisify(fstatCb);
const closeFd = promisify(closeCb);
const readFd = promisify(readCb);
const ftruncateFd = promisify(ftruncateCb);
const writeFd = promisify(writeCb);

const { O_RDONLY, O_WRONLY, O_CREAT, O_NOFOLLOW, O_NONBLOCK, O_DIRECTORY } = constants;

/** Whether this system lets a path be looked up relative to an open directory descriptor. */
const HAS_PROC_FD = process.platform === 'linux' && existsSync('/proc/self/fd');

/** A path a sandboxed plugin may not use (outside its directory, through a symlink, not a regular file). */
export class ConfinedPathError extends Error {
  override name = 'ConfinedPathError';
}

export interface ConfinedFilesOptions {
  /** The plugin's media directory (created, mode 0700, when missing). */
  root: string;
  /** Bounds the thread-pool use and duration of each file operation (default: the gateway-wide `pluginFileWork`). */
  limiter?: FileWorkLimiter;
  /** Largest file `readFile` returns, in bytes (default 64 MiB: an announcement is read whole into memory). */
  maxReadBytes?: number;
  /**
   * Most opens and reads of this plugin waiting or running at once (default 16), so that one plugin
   * cannot fill the gateway-wide queue that every plugin shares; beyond it a call fails at once.
   */
  maxPending?: number;
}

/** A plugin's confined view of its media directory. */
export class ConfinedFiles {
  readonly root: string;
  readonly #limiter: FileWorkLimiter;
  readonly #maxReadBytes: number;
  readonly #maxPending: number;
  #pending = 0;

  constructor(options: ConfinedFilesOptions) {
    this.root = resolve(options.root);
    this.#limiter = options.limiter ?? pluginFileWork;
    this.#maxReadBytes = options.maxReadBytes ?? 64 * 1024 * 1024;
    this.#maxPending = options.maxPending ?? 16;
  }

  /**
   * The components of a plugin-given path relative to the media directory; an absolute path is
   * taken relative to it when it lies inside it (e.g. a Janus-style `rec_dir` under the directory),
   * other absolute paths and `..` escapes are refused. The returned absolute path is for naming
   * only (logs, listings): files are opened by walking the components (no symlinks), never by that path.
   */
  resolve(given: string): { full: string; parts: string[] } {
    let path = given;
    if (isAbsolute(path)) {
      const inside = relative(this.root, normalize(path));
      if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) throw new ConfinedPathError(`path ${given} is outside the plugin's media directory`);
      path = inside;
    }
    const parts = normalize(path).split(sep).filter((p) => p !== '' && p !== '.');
    if (parts.length === 0 || parts.includes('..') || path.includes('\0'))
      throw new ConfinedPathError(`path ${given} is outside the plugin's media directory`);
    return { full: join(this.root, ...parts), parts };
  }

  /**
   * Opens `path` for writing: folders are created, the file is created or truncated. Resolves with
   * a raw descriptor the caller owns (a number, so it can be handed to a worker thread).
   */
  openForWrite(path: string): Promise<{ fd: number; full: string }> {
    const { full, parts } = this.resolve(path);
    return this.#bounded(() => this.#limiter.run(`opening ${path}`, async () => ({ fd: await this.#open(parts, path, true), full }), ({ fd }) => closeFdQuietly(fd)));
  }

  /** Reads a whole regular file of at most `maxReadBytes`. */
  readFile(path: string): Promise<{ bytes: Buffer; full: string }> {
    const { full, parts } = this.resolve(path);
    return this.#bounded(() => this.#limiter.run(`reading ${path}`, async () => {
      const fd = await this.#open(parts, path, false);
      try {
        const { size } = await fstatFd(fd);
        if (size > this.#maxReadBytes) throw new ConfinedPathError(`${path} is larger than ${this.#maxReadBytes} bytes`);
        const bytes = Buffer.allocUnsafe(size);
        let done = 0;
        while (done < size) {
          const { bytesRead } = await readFd(fd, bytes, done, size - done, done);
          if (bytesRead === 0) break; // the file shrank meanwhile: keep what was there
          done += bytesRead;
        }
        return { bytes: bytes.subarray(0, done), full };
      } finally {
        await closeFd(fd);
      }
    }));
  }

  /**
   * Opens `path` for writing (as `openForWrite`) behind a small file interface whose writes go
   * through the same limiter: a slow disk holds at most the limiter's share of the thread pool, and
   * each write answers within the timeout (the recording then stops writing).
   */
  async openWritable(path: string): Promise<ConfinedWritable> {
    const { fd, full } = await this.openForWrite(path);
    return new ConfinedWritable(fd, full, this.#limiter);
  }

  /** One open or read of this plugin, counted against `maxPending` until its caller is answered. */
  async #bounded<T>(call: () => Promise<T>): Promise<T> {
    if (this.#pending >= this.#maxPending) throw new FileWorkBusyError(`at most ${this.#maxPending} file operations per plugin at once`);
    this.#pending++;
    try {
      return await call();
    } finally {
      this.#pending--;
    }
  }

  async #open(parts: readonly string[], path: string, write: boolean): Promise<number> {
    await mkdir(this.root, { recursive: true, mode: 0o700 });
    let dir = await openFd(this.root, O_RDONLY | O_DIRECTORY);
    let dirPath = this.root;
    try {
      for (const name of parts.slice(0, -1)) {
        const next = await this.#openDir(dir, dirPath, name, path, write);
        const parent = dir;
        dir = next;
        await closeFd(parent);
        dirPath = join(dirPath, name);
      }
      return await this.#openFile(dir, dirPath, parts[parts.length - 1] as string, path, write);
    } finally {
      await closeFd(dir);
    }
  }

  async #openDir(dir: number, dirPath: string, name: string, path: string, create: boolean): Promise<number> {
    const at = child(dir, dirPath, name);
    const flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW;
    try {
      return await openFd(at, flags);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && create) {
        try {
          await mkdir(at);
        } catch (mkdirError) {
          if ((mkdirError as NodeJS.ErrnoException).code !== 'EEXIST') throw mkdirError;
        }
        return await openFd(at, flags).catch((again: unknown) => refusal(again, path, name, at));
      }
      return refusal(error, path, name, at);
    }
  }

  async #openFile(dir: number, dirPath: string, name: string, path: string, write: boolean): Promise<number> {
    const flags = (write ? O_WRONLY | O_CREAT : O_RDONLY) | O_NOFOLLOW | O_NONBLOCK;
    const at = child(dir, dirPath, name);
    const fd = await openFd(at, flags, 0o644).catch((error: unknown) => refusal(error, path, name, at));
    try {
      const stats: Stats = await fstatFd(fd);
      if (!stats.isFile()) throw new ConfinedPathError(`${path} is not a regular file (${kindOf(stats)})`);
      if (write && stats.nlink > 1) throw new ConfinedPathError(`${path} has other hard links: not overwritten`);
      if (write && stats.size > 0) await ftruncateFd(fd, 0);
      return fd;
    } catch (error) {
      closeFdQuietly(fd);
      throw error;
    }
  }
}

/**
 * A confined file open for writing (what a `.mjr` recording writes into). The descriptor is closed
 * only once every write really ended, timed-out ones included: closing earlier could let a late
 * write land in whatever file reuses the descriptor number.
 */
export class ConfinedWritable {
  readonly path: string;
  readonly #fd: number;
  readonly #limiter: FileWorkLimiter;
  #pending: Promise<unknown> = Promise.resolve();
  #closed: Promise<void> | undefined;

  /** @internal ConfinedFiles.openWritable creates these. */
  constructor(fd: number, path: string, limiter: FileWorkLimiter) {
    this.#fd = fd;
    this.path = path;
    this.#limiter = limiter;
  }

  /** Writes `buffer[offset, offset + length)` at the current position; rejects on failure or timeout. */
  write(buffer: Buffer, offset: number, length: number): Promise<{ bytesWritten: number }> {
    if (this.#closed) return Promise.reject(new Error(`${this.path} is closed`));
    return this.#limiter.run(`writing ${this.path}`, () => {
      const op = writeFd(this.#fd, buffer, offset, length);
      this.#pending = Promise.allSettled([this.#pending, op]);
      return op;
    });
  }

  /** Closes the descriptor once every write has ended. Idempotent; never rejects. */
  close(): Promise<void> {
    // A failed close (EIO on a network filesystem) leaves nothing to retry: the descriptor is gone.
    this.#closed ??= this.#pending.then(() => closeFd(this.#fd)).catch(() => undefined);
    return this.#closed;
  }
}

/** The path that names `name` inside the open directory `dir` (see the header for the fallback). */
function child(dir: number, dirPath: string, name: string): string {
  return HAS_PROC_FD ? `/proc/self/fd/${dir}/${name}` : join(dirPath, name);
}

/**
 * A failed open, as the plugin should read it. O_NOFOLLOW on a symlink fails with ELOOP, or with
 * ENOTDIR when O_DIRECTORY is set too: lstat (of what was not opened) tells which it was.
 */
async function refusal(error: unknown, path: string, name: string, at: string): Promise<never> {
  const code = (error as NodeJS.ErrnoException).code;
  const link = code === 'ELOOP' || code === 'EMLINK' || (code === 'ENOTDIR' && (await lstat(at).then((s) => s.isSymbolicLink(), () => false)));
  if (link) throw new ConfinedPathError(`${path}: '${name}' is a symbolic link (not followed)`);
  if (code === 'ENOTDIR') throw new ConfinedPathError(`${path}: '${name}' is not a directory`);
  if (code === 'EISDIR') throw new ConfinedPathError(`${path} is not a regular file (a directory)`);
  if (code === 'ENXIO') throw new ConfinedPathError(`${path} is not a regular file (a FIFO or socket)`);
  if (code === 'ENOENT') throw new ConfinedPathError(`${path} does not exist`);
  throw error;
}

function kindOf(stats: Stats): string {
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isDirectory()) return 'a directory';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  if (stats.isSymbolicLink()) return 'a symbolic link';
  return 'not a file';
}
