// Entry point of outcome notifications (Event Grid topic, optional).
export type { OutcomeNotification, OutcomePublisher } from "./types";
export {
  createOutcomePublisher,
  outcomeEventType,
  outcomeSubject,
  EVENT_TYPE_PREFIX,
  EVENT_DATA_VERSION,
} from "./eventGridPublisher";
