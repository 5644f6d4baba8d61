// Benchmark runner: `npm run bench -- <name>` runs bench/<name>.ts, whose last line is `<name>: ratio <x> (goal …)`.
import { existsSync } from "node:fs";
import { join } from "node:path";

interface BenchModule {
  run(args: string[]): Promise<void>;
}

async function main(): Promise<void> {
  const [name, ...args] = process.argv.slice(2);
  if (!name || !/^[a-z][a-z0-9-]*$/.test(name)) {
    console.error(
      "usage: npm run bench -- <name>   (for example keyvault-emulator, propagation, revocation, discovery, cold-start, change-key, fleet, chaos)",
    );
    process.exit(2);
  }
  const modulePath = join(__dirname, `${name}.js`);
  if (!existsSync(modulePath)) {
    console.error(`no benchmark named "${name}" (looked for ${modulePath})`);
    process.exit(2);
  }
  const bench = (await import(modulePath)) as BenchModule;
  await bench.run(args);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exit(1);
  },
);
