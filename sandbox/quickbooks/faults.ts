/**
 * QuickBooks' error bodies, as the simulator sends them. Handlers throw a SimulatorFault; the app turns
 * it into `{"Fault":{"Error":[…],"type":…},"time":…}` (qbo.md §2.4, §5.3). OAuth endpoints answer in
 * OAuth's own shape instead (`{"error":"invalid_grant"}`), through OAuthProblem.
 */
import type { ContentfulStatusCode } from "hono/utils/http-status";

export interface FaultError {
  Message: string;
  Detail: string;
  code: string;
  element?: string;
}

export type FaultType = "ValidationFault" | "SystemFault" | "AuthenticationFault" | "SERVICE";

export class SimulatorFault extends Error {
  override name = "SimulatorFault";
  constructor(
    readonly status: ContentfulStatusCode,
    readonly type: FaultType,
    readonly errors: FaultError[],
  ) {
    super(errors.map((error) => `${error.code} ${error.Detail}`).join("; "));
  }
}

export function validationFault(code: string, message: string, detail: string, element?: string): SimulatorFault {
  return new SimulatorFault(400, "ValidationFault", [{ Message: message, Detail: detail, code, ...(element ? { element } : {}) }]);
}

export const BUSINESS_VALIDATION = "A business validation error has occurred while processing your request";

export function businessValidationFault(detail: string, element?: string): SimulatorFault {
  return validationFault("6000", BUSINESS_VALIDATION, `Business Validation Error: ${detail}`, element);
}

export function faultBody(fault: SimulatorFault, time: string): string {
  return JSON.stringify({ Fault: { Error: fault.errors, type: fault.type }, time });
}

/** An OAuth endpoint's error: `400 {"error":"invalid_grant"}` and the like. */
export class OAuthProblem extends Error {
  override name = "OAuthProblem";
  constructor(
    readonly status: 400 | 401,
    readonly error: string,
    readonly description?: string,
  ) {
    super(description ? `${error}: ${description}` : error);
  }

  body(): string {
    return JSON.stringify(this.description ? { error: this.error, error_description: this.description } : { error: this.error });
  }
}

/**
 * 401 for a missing, expired, revoked or wrong-realm access token. QuickBooks answers it in two shapes:
 * the documented one, and a lower-case one wrapped in an IntuitResponse envelope (qbo.md §5.3).
 */
export type AuthFaultStyle = "standard" | "lower-case";

export function authenticationFaultBody(style: AuthFaultStyle, detail: string, nowMs: number, time: string): string {
  const message = "message=AuthenticationFailed; errorCode=003200; statusCode=401";
  if (style === "standard") {
    return JSON.stringify({ Fault: { Error: [{ Message: message, Detail: detail, code: "3200" }], type: "AuthenticationFault" }, time });
  }
  return JSON.stringify({
    warnings: null,
    intuitObject: null,
    fault: { error: [{ message, detail, code: "3200", element: null }], type: "AUTHENTICATION" },
    report: null,
    queryResponse: null,
    batchItemResponse: [],
    attachableResponse: [],
    syncErrorResponse: null,
    requestId: null,
    time: nowMs,
    status: null,
    cdcresponse: [],
  });
}

export function throttleFaultBody(time: string): string {
  return JSON.stringify({
    Fault: {
      Error: [{ Message: "message=ThrottleExceeded; errorCode=003001; statusCode=429", Detail: "The request limit was reached.", code: "003001" }],
      type: "SERVICE",
    },
    time,
  });
}

export function systemFaultBody(time: string): string {
  return JSON.stringify({
    Fault: {
      Error: [{ Message: "An application error has occurred while processing your request", Detail: "System Failure Error: An unexpected error occurred while accessing or saving your data. Please wait a few minutes and try again.", code: "10000" }],
      type: "SystemFault",
    },
    time,
  });
}

/** What a load balancer in front of QuickBooks sends when the service is down: HTML, not JSON. */
export const SERVICE_UNAVAILABLE_PAGE = "<html><head><title>503 Service Unavailable</title></head><body><h1>Service Unavailable</h1></body></html>";
