// Activity: move one consumer's binding from the old key to the new one, once it is verified there.
import { getServices } from "../../../lib/services";
import type { MoveBindingInput } from "../types";

const sameId = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** Adds first, then removes, so a crash between leaves it bound twice rather than nowhere. Safe twice. Needs Storage Table Data Contributor. */
export async function moveBinding(input: MoveBindingInput): Promise<void> {
  const { bindings } = getServices();
  if (input.add) {
    const added = input.add;
    const current = await bindings.get(input.to);
    if (!current?.targets.some((target) => sameId(target.resourceId, added.resourceId))) {
      await bindings.put({
        key: input.to,
        targets: [...(current?.targets ?? []), added],
        policy: current?.policy ?? {},
        updatedAtMs: 0,
      });
    }
  }
  if (input.remove) {
    const removed = input.remove;
    const old = await bindings.get(input.from);
    if (old?.targets.some((target) => sameId(target.resourceId, removed))) {
      await bindings.put({
        ...old,
        targets: old.targets.filter((target) => !sameId(target.resourceId, removed)),
      });
    }
  }
}
