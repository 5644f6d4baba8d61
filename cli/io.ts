// The streams and process facts a CLI run uses, passed in so tests can run the CLI in-process.

export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Waits between polls; tests may shorten it. */
  sleep?: (ms: number) => Promise<void>;
}
