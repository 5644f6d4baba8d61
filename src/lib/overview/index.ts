// Entry point of the overview concept: what GET /api/overview and the status page show.
export type {
  ConsumerView,
  KeyOverview,
  LockedEnvironment,
  NextRotation,
  OutcomeView,
  Overview,
  OverviewProblem,
  RevocationInEffect,
  RunningOperation,
  TargetProgress,
  VersionView,
} from "./types";
export { lockedEnvironmentsOf, retentionDaysOf } from "./environmentDeletion";
export { readKeyOverview, RECENT_OUTCOMES } from "./keyOverview";
export { overviewKeys, type OverviewKeys } from "./overviewKeys";
export { readPart } from "./readPart";
