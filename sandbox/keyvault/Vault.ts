// One emulated vault: its keys, access control, throttling, faults, Event Grid publisher and lifecycle timers.
import type { VirtualClock } from "../clock";
import { AccessControl } from "./AccessControl";
import { EmulatorApi } from "./emulatorApi";
import { keyEvent, type KeyEventType } from "./eventPayloads";
import { EventPublisher, type DeliveryOptions } from "./EventPublisher";
import { Faults } from "./Faults";
import type { KeyMaterialPool } from "./keyMaterial";
import { KeysApi } from "./keysApi";
import { KeyStore, type KeyVersionRecord } from "./KeyStore";
import { LifecycleScheduler } from "./LifecycleScheduler";
import { policyExpiry } from "./rotationPolicy";
import { Throttle, type ThrottlingLimits } from "./Throttle";

export interface VaultSetup {
  name: string;
  url: string;
  armId: string;
  clock: VirtualClock;
  keyPool: KeyMaterialPool;
  throttlingLimits: ThrottlingLimits;
  isThrottlingEnabled: boolean;
  delivery: DeliveryOptions;
}

export class Vault {
  readonly name: string;
  readonly url: string;
  readonly armId: string;
  readonly store: KeyStore;
  readonly keysApi: KeysApi;
  readonly emulatorApi: EmulatorApi;
  readonly access = new AccessControl();
  readonly faults = new Faults();
  readonly throttle: Throttle;
  readonly events: EventPublisher;
  readonly lifecycle: LifecycleScheduler;

  constructor(setup: VaultSetup) {
    this.name = setup.name;
    this.url = setup.url;
    this.armId = setup.armId;
    this.store = new KeyStore(setup.clock, setup.keyPool);
    this.keysApi = new KeysApi(this.store, this.url, setup.clock);
    this.throttle = new Throttle(setup.throttlingLimits, setup.isThrottlingEnabled);
    this.events = new EventPublisher(this.armId, setup.delivery);
    this.lifecycle = new LifecycleScheduler(setup.clock, {
      publish: (type: KeyEventType, version: KeyVersionRecord) =>
        this.events.publish(
          keyEvent(
            type,
            {
              vaultName: this.name,
              vaultUrl: this.url,
              armId: this.armId,
              keyName: version.name,
              version: version.version,
              nbf: version.nbf,
              exp: version.exp,
            },
            setup.clock.now(),
          ),
        ),
      rotate: async (keyName: string) => {
        const policy = this.store.getLiveKey(keyName).rotationPolicy;
        await this.store.rotate(keyName, (createdMs) => policyExpiry(policy, createdMs));
      },
    });
    this.store.observe(this.lifecycle);
    this.emulatorApi = new EmulatorApi(this);
  }

  /** Resolves when every event so far has been delivered, dropped or given up on. */
  async idle(): Promise<void> {
    await this.lifecycle.settled();
    await this.events.idle();
  }

  stop(): void {
    this.lifecycle.stop();
    this.events.stop();
  }
}
