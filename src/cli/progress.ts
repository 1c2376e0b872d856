// "Still waiting" feedback on stderr while a request waits for its CPE, which
// may take seconds (Connection Request, then a CWMP session). On a terminal
// one line is rewritten in place; into a pipe or file an occasional line is
// written instead, so logs stay readable.

/** The part of a stream the CLI writes to (process.stdout/stderr, or a test buffer). */
export interface TextSink {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** Seconds between lines when the sink is not a terminal. */
const PIPE_EVERY_SECONDS = 5;

export class Progress {
  private shown = false;

  constructor(
    private readonly sink: TextSink,
    private readonly label: string,
  ) {}

  /** Called about once a second with the time waited so far. */
  tick(elapsedMs: number): void {
    const seconds = Math.round(elapsedMs / 1000);
    if (seconds < 1) return;
    if (this.sink.isTTY === true) {
      this.sink.write(`\r${this.label}… ${seconds}s`);
      this.shown = true;
    } else if (seconds === 1 || seconds % PIPE_EVERY_SECONDS === 0) {
      this.sink.write(`${this.label}… ${seconds}s\n`);
    }
  }

  /** Clears the in-place line, if one was drawn. */
  done(): void {
    if (this.shown) this.sink.write("\r\x1b[2K");
    this.shown = false;
  }
}
