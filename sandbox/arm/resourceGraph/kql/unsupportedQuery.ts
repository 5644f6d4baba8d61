// The one error of the KQL subset: 400 UnsupportedQuery naming the part the emulator cannot evaluate.
import { ArmError } from "../../http/armHttp";

export function unsupportedQuery(part: string): ArmError {
  return new ArmError(
    400,
    "UnsupportedQuery",
    `The emulator's Resource Graph does not support ${part}. Supported: resources | where (=~, ==, !=, contains, and, or, tostring(), tolower() over property paths) | extend | project | order by (sandbox/arm/resourceGraph/README.md).`,
  );
}
