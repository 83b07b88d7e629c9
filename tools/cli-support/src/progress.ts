/**
 * Progress for long work: on a TTY a single line rewritten in place (throttled), otherwise
 * (logs, pipes) a plain line every `every` items and at the end.
 */
export class Progress {
  private done = 0;
  private lastDraw = 0;
  private readonly tty: boolean;

  constructor(
    private readonly label: string,
    private readonly total: number | undefined,
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly every = 1000,
  ) {
    this.tty = Boolean(stream.isTTY);
  }

  add(n = 1): void {
    const before = this.done;
    this.done += n;
    if (this.tty) {
      const now = Date.now();
      if (now - this.lastDraw >= 100) {
        this.lastDraw = now;
        this.stream.write(`\r${this.text()}`);
      }
    } else if (Math.floor(before / this.every) !== Math.floor(this.done / this.every)) {
      this.stream.write(`${this.text()}\n`);
    }
  }

  finish(): void {
    if (this.tty) this.stream.write(`\r${this.text()}\n`);
    else if (this.done % this.every !== 0 || this.done === 0) this.stream.write(`${this.text()}\n`);
  }

  private text(): string {
    if (this.total === undefined || this.total === 0) return `${this.label}: ${this.done}`;
    const pct = Math.floor((100 * this.done) / this.total);
    return `${this.label}: ${this.done}/${this.total} (${pct}%)`;
  }
}
