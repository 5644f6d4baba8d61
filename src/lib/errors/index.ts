// Entry point of the domain error vocabulary.
export { ERROR_STATUS, isUserErrorCode, type ErrorCode } from "./codes";
export { DomainError, ThrottledError, isDomainError } from "./DomainError";
export { ensureError, toErrorResponse, type ErrorResponse } from "./ensureError";
export { fromAzureError, retryAfterMsOf, statusOf, type AzureErrorContext } from "./azureErrors";
export { describeFailure, isRetryable, refusalOrRethrow, type FailureInfo, type Refusal } from "./failure";
