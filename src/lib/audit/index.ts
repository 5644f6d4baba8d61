// Entry point of the audit log: record shapes, the Table Storage log, the secret guard.
export type {
  RotationStatus,
  RotationTrigger,
  TargetStatus,
  TargetRecord,
  RotationRecord,
  RevocationStatus,
  RevokedVersion,
  RevocationRecord,
  HistoryEntry,
  KeyChangeRecord,
  KeyChangeStrategy,
  KeyChangeTargetKind,
  KeyChangeTargetRecord,
  TargetAttempt,
  DecisionKind,
  DecisionRecord,
  AuditLog,
} from "./types";
export { createTableAuditLog, AUDIT_TABLE } from "./tableAuditLog";
export { stripSecrets, isSecretFieldName, REDACTED } from "./secretGuard";
