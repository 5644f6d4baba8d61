// Fires each key version's lifecycle moments once on the virtual clock: KeyNewVersionCreated, KeyNearExpiry, KeyExpired, policy rotation.
import type { ClockTimer, VirtualClock } from "../clock";
import type { KeyEventType } from "./eventPayloads";
import type { KeyRecord, KeyStoreObserver, KeyVersionRecord } from "./KeyStore";
import { nearExpiryDueMs, rotateDueMs } from "./rotationPolicy";

export interface LifecycleActions {
  publish(type: KeyEventType, version: KeyVersionRecord): Promise<void>;
  rotate(keyName: string): Promise<void>;
}

/**
 * One clock timer per pending moment, re-planned whenever a key changes (new version, exp, enabled,
 * policy, delete/recover). A fired moment is remembered by version and exp, so a big clock jump, a
 * re-plan or a second advance never fires it twice; a changed exp is a new moment.
 */
export class LifecycleScheduler implements KeyStoreObserver {
  private readonly timersByKey = new Map<string, ClockTimer[]>();
  private readonly firedMoments = new Set<string>();
  private readonly pendingPublishes = new Set<Promise<void>>();
  private isStopped = false;

  constructor(
    private readonly clock: VirtualClock,
    private readonly actions: LifecycleActions,
  ) {}

  versionCreated(key: KeyRecord, version: KeyVersionRecord): void {
    this.track(this.actions.publish("Microsoft.KeyVault.KeyNewVersionCreated", version));
    this.plan(key);
  }

  keyChanged(key: KeyRecord): void {
    this.plan(key);
  }

  stop(): void {
    this.isStopped = true;
    for (const timers of this.timersByKey.values()) for (const timer of timers) timer.cancel();
    this.timersByKey.clear();
  }

  /** Resolves when every event this scheduler started has had its first delivery attempt. */
  async settled(): Promise<void> {
    while (this.pendingPublishes.size > 0) await Promise.allSettled([...this.pendingPublishes]);
  }

  private track(publishing: Promise<void>): void {
    const tracked = publishing.catch((error: unknown) => {
      console.error(
        `keyvault emulator: event publishing failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    });
    this.pendingPublishes.add(tracked);
    void tracked.finally(() => this.pendingPublishes.delete(tracked));
  }

  private plan(key: KeyRecord): void {
    for (const timer of this.timersByKey.get(key.name) ?? []) timer.cancel();
    this.timersByKey.delete(key.name);
    if (this.isStopped || key.deleted || key.versions.length === 0) return;
    const timers: ClockTimer[] = [];
    const current = key.versions[key.versions.length - 1];
    for (const version of key.versions) {
      if (version.exp === undefined || !version.enabled) continue;
      this.schedule(timers, `${version.version}|expired|${version.exp}`, version.exp * 1000, () => {
        this.track(this.actions.publish("Microsoft.KeyVault.KeyExpired", version));
      });
    }
    const nearExpiryAt = nearExpiryDueMs(key.rotationPolicy, current);
    if (nearExpiryAt !== undefined && current.enabled) {
      this.schedule(timers, `${current.version}|nearExpiry|${current.exp ?? ""}`, nearExpiryAt, () => {
        this.track(this.actions.publish("Microsoft.KeyVault.KeyNearExpiry", current));
      });
    }
    const rotateAt = rotateDueMs(key.rotationPolicy, current);
    if (rotateAt !== undefined) {
      this.schedule(timers, `${current.version}|rotate`, rotateAt, async () => {
        await this.actions.rotate(key.name);
      });
    }
    this.timersByKey.set(key.name, timers);
  }

  private schedule(
    timers: ClockTimer[],
    moment: string,
    dueAtMs: number,
    fire: () => void | Promise<void>,
  ): void {
    if (this.firedMoments.has(moment)) return;
    // A moment already in the past (an exp set in the past, a policy set late) fires at once, like Key Vault catching up.
    const timer = this.clock.setTimer(Math.max(dueAtMs, this.clock.now()), async () => {
      if (this.firedMoments.has(moment) || this.isStopped) return;
      this.firedMoments.add(moment);
      await fire();
      await this.settled();
    });
    timers.push(timer);
  }
}
