// Executes activity functions with bounded concurrency and the at-least-once switch (run twice, or lose the first
// completion and run again) so tests can prove that activities are idempotent.
import { errorMessage, type HostLogger } from "../hostLog";
import type { CatalogEntry } from "../worker/functionCatalog";
import { fromTypedData, type FunctionInvoker } from "../worker/invokeFunction";

/** "off": once. "twice": every activity runs twice, the second completion is a discarded duplicate.
 * "dropFirstCompletion": the first completion is lost (as after a crash) and the activity runs again. */
export type AtLeastOnceMode = "off" | "twice" | "dropFirstCompletion";

export type ActivityResult =
  { ok: true; resultJson: string } | { ok: false; reason: string; details: string };

export class ActivityRunner {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly invoker: FunctionInvoker,
    private readonly log: HostLogger,
    private readonly maxConcurrent: number,
    private readonly mode: () => AtLeastOnceMode,
  ) {}

  async run(entry: CatalogEntry | undefined, name: string, input: unknown): Promise<ActivityResult> {
    if (!entry) {
      return {
        ok: false,
        reason: `The function '${name}' doesn't exist, is disabled, or is not an activity function.`,
        details: "",
      };
    }
    const mode = this.mode();
    const first = await this.runOnce(entry, input);
    if (mode === "off") return first;
    const second = await this.runOnce(entry, input);
    if (mode === "twice") {
      this.log({
        level: "information",
        category: "system",
        functionName: name,
        message: "at-least-once: ran twice, second completion discarded as a duplicate",
      });
      return first;
    }
    this.log({
      level: "information",
      category: "system",
      functionName: name,
      message: "at-least-once: first completion dropped, activity re-run",
    });
    return second;
  }

  private async runOnce(entry: CatalogEntry, input: unknown): Promise<ActivityResult> {
    await this.acquire();
    try {
      const outcome = await this.invoker.invoke(entry, {
        trigger: input === undefined ? {} : { json: JSON.stringify(input) },
      });
      if (outcome.ok) {
        const value = fromTypedData(outcome.returnValue);
        return {
          ok: true,
          resultJson: JSON.stringify(Buffer.isBuffer(value) ? value.toString("base64") : (value ?? null)),
        };
      }
      // The extension reports activity failures as "Activity function 'X' failed: <message>" plus the details.
      return {
        ok: false,
        reason: `Activity function '${entry.name}' failed: ${errorMessage(outcome.error)}`,
        details: outcome.error.stack ?? errorMessage(outcome.error),
      };
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (this.running < this.maxConcurrent) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => this.waiting.push(() => resolve()));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }
}
