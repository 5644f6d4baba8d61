// The sandbox's test CA and the loopback server certificate it signed (SAN localhost, 127.0.0.1, ::1).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../packageRoot";

export interface TestTls {
  /** Absolute path of the CA certificate PEM: hand it to clients as NODE_EXTRA_CA_CERTS or tlsOptions.ca. */
  caCertPath: string;
  caPem: string;
  /** Server certificate and key for https.createServer. */
  certPem: string;
  keyPem: string;
}

let cached: TestTls | undefined;

/** Loads the committed test-only certificates (valid until 2036; never use them outside the sandbox). */
export function testTls(): TestTls {
  if (!cached) {
    const dir = join(packageRoot(), "sandbox", "tls");
    const caCertPath = join(dir, "ca.pem");
    cached = {
      caCertPath,
      caPem: readFileSync(caCertPath, "utf8"),
      certPem: readFileSync(join(dir, "server.pem"), "utf8"),
      keyPem: readFileSync(join(dir, "server-key.pem"), "utf8"),
    };
  }
  return cached;
}
