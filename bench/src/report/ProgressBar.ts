/** Width of the bar in characters. */
const width = 30;

/**
 * A one-line progress bar on stderr, redrawn in place on a terminal; elsewhere (CI logs, pipes) one
 * line per new label, so logs stay short. Stdout stays free for the summary.
 */
export class ProgressBar {
  readonly #stream: NodeJS.WriteStream;
  readonly #title: string;
  #lastLabel = '';
  #drawn = false;

  constructor(title: string, stream: NodeJS.WriteStream = process.stderr) {
    this.#title = title;
    this.#stream = stream;
  }

  /** Shows `fraction` (clamped to [0, 1]) done, with what is running now. */
  update(fraction: number, label: string): void {
    const f = Math.min(1, Math.max(0, fraction));
    const percent = `${Math.round(f * 100)}`.padStart(3);
    if (this.#stream.isTTY) {
      const filled = Math.round(f * width);
      const bar = `${'#'.repeat(filled)}${'-'.repeat(width - filled)}`;
      const line = `${this.#title} [${bar}] ${percent}% ${label}`.slice(0, (this.#stream.columns || 100) - 1);
      this.#stream.write(`\r\x1b[2K${line}`);
      this.#drawn = true;
    } else if (label !== this.#lastLabel) {
      this.#stream.write(`${this.#title} ${percent}% ${label}\n`);
    }
    this.#lastLabel = label;
  }

  /** Ends the bar's line so what follows starts on a fresh one. */
  done(): void {
    if (this.#drawn) this.#stream.write('\n');
    this.#drawn = false;
  }
}
