/**
 * The client's address, from where each runtime puts it: on Lambda, the function URL's or API
 * Gateway's request context (the address that connected to AWS, which a client cannot set, unlike
 * X-Forwarded-For); under @hono/node-server, the socket. Undefined in app.request() without either.
 */
import { isIPv4, isIPv6 } from "node:net";
import type { Context } from "hono";

const MAX_ADDRESS_LENGTH = 64;

export function getClientIp(c: Context): string | undefined {
  const env: unknown = c.env;
  const address = lambdaSourceIp(env) ?? socketAddress(env);
  return address !== undefined && address.length <= MAX_ADDRESS_LENGTH && (isIPv4(address) || isIPv6(address)) ? address : undefined;
}

function field(value: unknown, name: string): unknown {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>)[name] : undefined;
}

function asString(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function lambdaSourceIp(env: unknown): string | undefined {
  const requestContext = field(env, "requestContext");
  // Function URLs and HTTP APIs (payload 2.0), then REST APIs (payload 1.0).
  return asString(field(field(requestContext, "http"), "sourceIp")) ?? asString(field(field(requestContext, "identity"), "sourceIp"));
}

function socketAddress(env: unknown): string | undefined {
  return asString(field(field(field(env, "incoming"), "socket"), "remoteAddress"));
}
