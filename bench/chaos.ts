// Benchmark: the proof under faults. 200 rotations over 40 keys with 20 % injected Key Vault 503s, ARM 429/500s and
// Table Storage 503s, every activity delivered at least twice and the host restarted twice mid-run; then each
// violation class is counted. Last line: `chaos: <violations> violations in <N> operations (goal 0)`.
import { runChaos } from "../test/support/chaos/runChaos";

function numberArg(args: string[], name: string, fallback: number): number {
  const index = args.indexOf(`--${name}`);
  if (index < 0) return fallback;
  const value = Number(args[index + 1]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} takes a whole number`);
  return value;
}

export async function run(args: string[]): Promise<void> {
  const keyCount = numberArg(args, "keys", 40);
  const rotationsPerKey = numberArg(args, "rounds", 5);
  const isQuick = args.includes("--quick");
  const report = await runChaos({
    keyCount,
    rotationsPerKey,
    withVersionless: !isQuick,
    retireEachRound: !isQuick,
    roundTimeoutMs: 300_000,
    log: (line) => console.log(`# ${line}`),
  });
  for (const line of report.lines) console.log(line);
  if (report.violations > 0) process.exitCode = 1;
}
