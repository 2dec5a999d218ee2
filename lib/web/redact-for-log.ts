/**
 * An error's message as a log may hold it: messages can quote the request's input (a store error
 * quotes the id it refused) or a provider's answer, so email addresses and token-shaped values are masked.
 */
export function redactForLog(message: string): string {
  return message
    .replace(/[^\s"'<>()[\]{},;:]+@[^\s"'<>()[\]{},;:]+/g, "[email]")
    .replace(/[A-Za-z0-9_-]{32,}/g, "[token]");
}
