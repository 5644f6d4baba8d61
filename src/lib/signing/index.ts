// Entry point of request signing (revocation webhook and the CLI that calls it).
export * from "./hmacSignature";
