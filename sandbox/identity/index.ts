// Entry point of sandbox identities (token minting and test credentials).
export {
  mintSandboxToken,
  readSandboxTokenClaims,
  sandboxCredential,
  type SandboxTokenClaims,
} from "./tokens";
export { MsiTokenHandler, type MsiEndpointOptions } from "./msiEndpoint";
