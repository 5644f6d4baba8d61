// Starts Azurite's Table, Blob and Queue servers in this process on loopback (port 0 = any free port).
import { createRequire } from "node:module";
import { join } from "node:path";
import { packageRoot } from "../packageRoot";

/** Azurite's well-known development account: public, documented, never a secret. */
export const AZURITE_ACCOUNT = "devstoreaccount1";
export const AZURITE_ACCOUNT_KEY =
  "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

export interface AzuriteOptions {
  host?: string;
  tablePort?: number;
  blobPort?: number;
  queuePort?: number;
  /** Start only these services (default: all three). */
  services?: ReadonlyArray<"table" | "blob" | "queue">;
}

export interface RunningAzurite {
  tableEndpoint: string;
  blobEndpoint?: string;
  queueEndpoint?: string;
  /** Connection string naming every started endpoint (AzureWebJobsStorage form). */
  connectionString: string;
  stop(): Promise<void>;
}

interface AzuriteServer {
  start(): Promise<void>;
  close(): Promise<void>;
  clean(): Promise<void>;
  getHttpServerAddress(): string;
}
type ServerCtor = new (config: unknown) => AzuriteServer;
type ConfigCtor = new (...args: unknown[]) => unknown;

const requireFromRoot = createRequire(join(packageRoot(), "package.json"));

/**
 * Azurite's telemetry module loads applicationinsights, which on load hooks console, async context and every Azure
 * SDK client in the process (OpenTelemetry spans), even with telemetry off. Run standalone, that is Azurite's own
 * process; in-process it would be the app's and the emulators', which in Azure never carry it. Its documented
 * switch keeps those hooks off; it must be set before the first Azurite module loads.
 */
function keepAzuriteTelemetryHooksOff(): void {
  process.env.APPLICATION_INSIGHTS_NO_DIAGNOSTIC_CHANNEL ??= "true";
}

function load<T>(modulePath: string): T {
  keepAzuriteTelemetryHooksOff();
  return (requireFromRoot(`azurite/dist/src/${modulePath}`) as { default: T }).default;
}

/**
 * In-memory, telemetry off, no files written. Table is always started; Blob and Queue on request.
 */
export async function startAzurite(options: AzuriteOptions = {}): Promise<RunningAzurite> {
  const host = options.host ?? "127.0.0.1";
  const services = new Set(options.services ?? ["table", "blob", "queue"]);
  services.add("table");
  const started: AzuriteServer[] = [];
  const stop = async () => {
    for (const server of started.reverse()) {
      await server.close();
      await server.clean().catch(() => undefined);
    }
  };
  try {
    const TableServer = load<ServerCtor>("table/TableServer");
    const TableConfiguration = load<ConfigCtor>("table/TableConfiguration");
    // (host, port, keepAlive, dbPath, debugLog, accessLog, accessLogStream, debugLogPath, loose, skipApiVersionCheck, cert, key, pwd, oauth, disableProductStyleUrl, inMemory)
    const table = new TableServer(
      new TableConfiguration(
        host,
        options.tablePort ?? 0,
        5,
        "unused-table.json",
        false,
        false,
        undefined,
        undefined,
        false,
        true,
        "",
        "",
        "",
        undefined,
        true,
        true,
      ),
    );
    await table.start();
    started.push(table);
    const tableEndpoint = `${table.getHttpServerAddress()}/${AZURITE_ACCOUNT}`;

    let blobEndpoint: string | undefined;
    let queueEndpoint: string | undefined;
    if (services.has("blob")) {
      const BlobServer = load<ServerCtor>("blob/BlobServer");
      const BlobConfiguration = load<ConfigCtor>("blob/BlobConfiguration");
      // (host, port, keepAlive, metadataDb, extentDb, persistence, accessLog, accessLogStream, debugLog, debugLogPath, loose, skipApiVersionCheck, cert, key, pwd, oauth, disableProductStyleUrl, inMemory)
      const blob = new BlobServer(
        new BlobConfiguration(
          host,
          options.blobPort ?? 0,
          5,
          "unused-blob.json",
          "unused-blob-extent.json",
          [],
          false,
          undefined,
          false,
          undefined,
          false,
          true,
          "",
          "",
          "",
          undefined,
          true,
          true,
        ),
      );
      await blob.start();
      started.push(blob);
      blobEndpoint = `${blob.getHttpServerAddress()}/${AZURITE_ACCOUNT}`;
    }
    if (services.has("queue")) {
      const QueueServer = load<ServerCtor>("queue/QueueServer");
      const QueueConfiguration = load<ConfigCtor>("queue/QueueConfiguration");
      const queue = new QueueServer(
        new QueueConfiguration(
          host,
          options.queuePort ?? 0,
          5,
          "unused-queue.json",
          "unused-queue-extent.json",
          [],
          false,
          undefined,
          false,
          undefined,
          false,
          true,
          "",
          "",
          "",
          undefined,
          true,
          true,
        ),
      );
      await queue.start();
      started.push(queue);
      queueEndpoint = `${queue.getHttpServerAddress()}/${AZURITE_ACCOUNT}`;
    }
    const parts = [
      "DefaultEndpointsProtocol=http",
      `AccountName=${AZURITE_ACCOUNT}`,
      `AccountKey=${AZURITE_ACCOUNT_KEY}`,
      blobEndpoint && `BlobEndpoint=${blobEndpoint}`,
      queueEndpoint && `QueueEndpoint=${queueEndpoint}`,
      `TableEndpoint=${tableEndpoint}`,
    ].filter(Boolean);
    return { tableEndpoint, blobEndpoint, queueEndpoint, connectionString: `${parts.join(";")};`, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
