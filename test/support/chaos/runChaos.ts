// A whole chaos run, shared by `npm run bench -- chaos` and the test: seed an estate, turn on faults and
// at-least-once delivery, drive rotations round by round with two host restarts, then check everything.
import type { AtLeastOnceMode, HostLogEntry } from "../../../sandbox/host";
import { startControlApi } from "../../../sandbox/control";
import { armFaultTarget } from "../../../sandbox/launcher/armControls";
import { startE2eStack, type E2eStack } from "../e2eStack";
import { ChaosDriver } from "./ChaosDriver";
import { checkChaos, VIOLATION_CLASSES, type ChaosFindings, type ViolationClass } from "./chaosChecks";
import { seedChaosEstate } from "./chaosEstate";
import { TargetWatch } from "./TargetWatch";

export interface ChaosOptions {
  keyCount: number;
  rotationsPerKey: number;
  /** Share of Key Vault, ARM and Table Storage requests that fail (default 0.2). */
  faultRate?: number;
  /** Every n-th rotation starts from a Key Vault event rather than POST /api/rotations (default 5). */
  eventEvery?: number;
  /** Bind versionless storage accounts too: they pick a version up only daily, so each round waits up to a virtual day of hourly checks. */
  withVersionless: boolean;
  /** Move two days on after each round so the short retirements run mid-run, not only at the end. */
  retireEachRound: boolean;
  /** Real time each round may take (default 120 s). */
  roundTimeoutMs?: number;
  /** Progress lines while it runs. */
  log?: (line: string) => void;
}

export interface ChaosReport {
  findings: ChaosFindings;
  violations: number;
  /** Every count, one per line, ending with `chaos: <violations> violations in <N> operations (goal 0)`. */
  lines: string[];
}

const VAULT_NAMES = ["kv-chaos-a", "kv-chaos-b"];
/** ARM answers 429 (throttled) and 500; Table Storage 503 (ServerBusy); Key Vault 503, set on the emulator below. */
const CONTROL_FAULT_STATUSES = { arm: [429, 500], tables: [503] } as const;
/**
 * Half of Key Vault's 503s come after the vault carried the request out (a gateway that gave up on a
 * committed request): the one case where retrying a create blindly makes a second version.
 */
const KEY_VAULT_SERVED_FIRST_SHARE = 0.5;

/** The host's at-least-once switch per round: every activity runs twice, alternately losing its first completion. */
const modeOfRound = (round: number): AtLeastOnceMode => (round % 2 === 0 ? "twice" : "dropFirstCompletion");

/** A sweep schedule that cannot fire during a run (the first of the month six months ahead). */
function sweepScheduleOutsideTheRun(nowMs: number): string {
  const month = ((new Date(nowMs).getUTCMonth() + 6) % 12) + 1;
  return `0 0 0 1 ${month} *`;
}

/**
 * Faults on and off: ARM and Table Storage through the sandbox control API, as a user of the sandbox
 * would; Key Vault through its emulator's own settings, the only ones that carry `servedFirstShare`
 * (so they are cleared there too: the control API clears only what it set).
 */
function faultSwitch(stack: E2eStack, controlUrl: string, errorRate: number) {
  const send = async (method: string, body?: unknown) => {
    const response = await fetch(`${controlUrl}/faults`, {
      method,
      headers: { "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok)
      throw new Error(`control API ${method} /faults: ${response.status} ${await response.text()}`);
  };
  return {
    on: async () => {
      for (const [target, statuses] of Object.entries(CONTROL_FAULT_STATUSES))
        await send("POST", { target, errorRate, statuses });
      stack.keyVault.setFaults(undefined, {
        errorRate,
        statuses: [503],
        servedFirstShare: KEY_VAULT_SERVED_FIRST_SHARE,
      });
    },
    off: async () => {
      await send("DELETE");
      stack.keyVault.clearFaults();
    },
  };
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? (() => undefined);
  const startedAtMs = Date.now();
  // Errors the host logs (a function that threw, e.g. a 503 answered while a dependency was faulted): counted, not kept.
  let hostErrors = 0;
  const hostLog = (entry: HostLogEntry) => {
    if (entry.level === "error" || entry.level === "critical") hostErrors += 1;
  };
  const stack: E2eStack = await startE2eStack({
    vaultNames: VAULT_NAMES,
    tableFaultProxy: true,
    atLeastOnce: modeOfRound(0),
    sweepSchedule: sweepScheduleOutsideTheRun(Date.now()),
    log: hostLog,
  });
  const control = await startControlApi({
    clock: stack.clock,
    faultTargets: {
      arm: armFaultTarget(stack.arm),
      ...(stack.tableFaults ? { tables: stack.tableFaults } : {}),
    },
  });
  try {
    const keys = await seedChaosEstate(stack, VAULT_NAMES, options.keyCount, options);
    const virtualStartMs = stack.clock.now();
    const faults = faultSwitch(stack, control.url, options.faultRate ?? 0.2);
    const rounds = options.rotationsPerKey;
    const restartRounds = [Math.floor(rounds / 3), Math.floor((2 * rounds) / 3)];
    const roundTimeoutMs = options.roundTimeoutMs ?? 120_000;
    const driver = new ChaosDriver(stack, keys, {
      eventEvery: options.eventEvery ?? 5,
      restartRounds,
      retireEachRound: options.retireEachRound,
      roundTimeoutMs,
      log,
    });
    const targets = new TargetWatch(stack, keys);
    log(
      `seeded ${keys.length} keys in ${VAULT_NAMES.length} vaults; host restarts in rounds ${restartRounds.join(" and ")}`,
    );
    for (let round = 0; round < rounds; round++) {
      await faults.on();
      await driver.runRound(round, modeOfRound(round));
      // Faults off while the run looks at itself: the checks are not what is under test.
      await faults.off();
      await driver.snapshotHistories();
      await targets.observe();
      log(
        `round ${round} done (${modeOfRound(round)}), ${driver.operations.length} rotations so far, ${Math.round((Date.now() - startedAtMs) / 1000)} s`,
      );
    }
    await faults.on();
    await driver.finish(roundTimeoutMs);
    await faults.off();
    log(`last retirements done, ${Math.round((Date.now() - startedAtMs) / 1000)} s`);
    await driver.snapshotHistories();
    const findings = await checkChaos(stack, keys, driver, targets);
    const violations = Object.values(findings.counts).reduce((sum, count) => sum + count, 0);
    const { counts } = driver;
    const lines = [
      `keys ${keys.length} in ${VAULT_NAMES.length} vaults, ${keys.reduce((sum, key) => sum + key.targets.length, 0)} targets; ${rounds} rounds; faults ${Math.round((options.faultRate ?? 0.2) * 100)} % (Key Vault 503, ${KEY_VAULT_SERVED_FIRST_SHARE * 100} % of them after carrying the request out; ARM 429/500; Table Storage 503); activities at least twice; ${counts.restarts} host restarts`,
      `rotations asked ${counts.rotationsAsked}, started ${counts.startsAccepted} (${counts.adoptedAfterLostAnswer} found running after a lost answer); retried: 409 ${counts.conflictsRetried}, 503 ${counts.unavailableRetried}, host unreachable ${counts.unreachableRetried}`,
      `events delivered ${counts.eventsDelivered} (each twice), redelivered ${counts.eventRedeliveries}, resent after starting nothing ${counts.eventsResent}, delivered again a round later ${counts.lateDuplicatesDelivered}`,
      `key versions made by rotations ${findings.versionsCreated}; attempt rows checked against durable history ${findings.attemptRowsChecked} (${findings.attemptsUnchecked} rotations without a history snapshot)`,
      `wall ${((Date.now() - startedAtMs) / 1000).toFixed(1)} s, virtual ${((stack.clock.now() - virtualStartMs) / 86_400_000).toFixed(1)} days, ${counts.clockAdvances} clock steps, host errors logged ${hostErrors}`,
      ...(Object.keys(VIOLATION_CLASSES) as ViolationClass[]).map(
        (kind) => `${VIOLATION_CLASSES[kind]}: ${findings.counts[kind]}`,
      ),
      ...findings.details.slice(0, 40).map((detail) => `  ${detail}`),
      `chaos: ${violations} violations in ${findings.operations} operations (goal 0)`,
    ];
    return { findings, violations, lines };
  } finally {
    await control.stop();
    await stack.stop();
  }
}
