/**
 * The email a merchant gets when a provider stopped accepting daybook's tokens (the token keeper's
 * onNeedsReconnect): what happened, and a link to the connections page to reconnect. The link carries
 * no secret; the merchant signs in as usual. It goes to the merchant's own sign-in address only.
 *
 * One the daily caps hold back (lib/email/caps.ts: the merchant's allowance for alerts was spent that
 * UTC day) is owed: the connection keeps when it was held (Connection.reconnectHeldAt), and the refresh
 * sweep, which looks at every connection every 6 hours, sends it again once a new UTC day gives the
 * allowance back (sendOwedReconnect), for as long as the connection still needs reconnecting. Once
 * sent, never again; reconnecting (a new connection, the refused one ended) or disconnecting owes none.
 */
import { heldOnAnEarlierDay } from "../email/caps";
import type { EmailSender } from "../email/email";
import { type Connection, PROVIDER_NAMES } from "../model";
import type { Store } from "../store/store";

export interface ReconnectEmailDeps {
  store: Store;
  email: EmailSender;
  publicUrl: string;
  now(): Date;
}

/** What became of a reconnect request: "nobody" when the account was deleted meanwhile. */
export type ReconnectRequest = "sent" | "held" | "nobody";

/** For TokenKeeperOptions.onNeedsReconnect: asks the merchant to reconnect, and keeps a request the caps held back owed. */
export function reconnectNotifier(deps: ReconnectEmailDeps): (connection: Pick<Connection, "merchantId" | "provider" | "connectionId">) => Promise<void> {
  return async (connection) => {
    if ((await sendReconnectEmail(deps, connection)) !== "held") return;
    await deps.store.setReconnectHeld(connection.merchantId, connection.connectionId, deps.now(), undefined);
  };
}

/**
 * The refresh sweep's turn at a connection whose reconnect request was held back: sends it again if it
 * was held on an earlier UTC day and the connection (read again, consistently) still needs reconnecting.
 * The request is claimed first (its mark moved to now), so of two sweeps at once only one sends it;
 * sent, the mark goes; held again, it stays owed from today. Undefined when nothing was owed now.
 */
export async function sendOwedReconnect(deps: ReconnectEmailDeps, found: Pick<Connection, "merchantId" | "connectionId">): Promise<ReconnectRequest | undefined> {
  const { merchantId, connectionId } = found;
  const connection = await deps.store.getConnection(merchantId, connectionId);
  const heldAt = connection?.reconnectHeldAt;
  const now = deps.now();
  if (connection?.status !== "needs-reconnect" || heldAt === undefined || !heldOnAnEarlierDay(heldAt, now)) return undefined;
  if (!(await deps.store.setReconnectHeld(merchantId, connectionId, now, heldAt))) return undefined;
  let request: ReconnectRequest;
  try {
    request = await sendReconnectEmail(deps, connection);
  } catch (error) {
    // Not sent (SES refused it): owed as before, for the next sweep.
    await deps.store.setReconnectHeld(merchantId, connectionId, new Date(heldAt), now.toISOString());
    throw error;
  }
  if (request !== "held") await deps.store.setReconnectHeld(merchantId, connectionId, undefined, now.toISOString());
  return request;
}

export async function sendReconnectEmail(deps: Omit<ReconnectEmailDeps, "now">, connection: Pick<Connection, "merchantId" | "provider">): Promise<ReconnectRequest> {
  const merchant = await deps.store.getMerchant(connection.merchantId);
  // An account deleted meanwhile has nobody to tell.
  if (!merchant) return "nobody";
  const name = PROVIDER_NAMES[connection.provider];
  const link = `${deps.publicUrl}/connections`;
  const role = connection.provider === "quickbooks" ? "post your daily journal entries to QuickBooks" : `read your daily sales from ${name}`;
  const sent = await deps.email.send({
    to: [merchant.email],
    subject: `Reconnect ${name} to daybook`,
    purpose: "reconnect",
    merchantId: connection.merchantId,
    text:
      `${name} no longer accepts daybook's access, so daybook cannot ${role} until you reconnect.\n\n` +
      `Reconnect on your connections page (sign in if asked):\n${link}\n\n` +
      `This happens when access is removed in ${name}, or after a long time without use. Nothing posted so far is lost.\n`,
    html:
      `<p>${name} no longer accepts daybook's access, so daybook cannot ${role} until you reconnect.</p>` +
      `<p><a href="${link}">Reconnect ${name} on your connections page</a> (sign in if asked).</p>` +
      `<p>This happens when access is removed in ${name}, or after a long time without use. Nothing posted so far is lost.</p>`,
  });
  return sent === "held" ? "held" : "sent";
}

/**
 * Sent once per Square connection made before daybook asked for PAYOUTS_READ (lib/payouts/post-payouts.ts):
 * why reconnecting is worth it, and that the days keep posting meanwhile.
 */
export async function sendPayoutsScopeEmail(deps: Omit<ReconnectEmailDeps, "now">, connection: Pick<Connection, "merchantId">): Promise<ReconnectRequest> {
  const merchant = await deps.store.getMerchant(connection.merchantId);
  if (!merchant) return "nobody";
  const link = `${deps.publicUrl}/connections`;
  const why =
    "daybook can now post each Square payout to your bank account in QuickBooks, so every deposit on your bank statement matches one entry. " +
    "Square asks you to allow daybook to read your payouts first, which your current connection does not include.";
  const meanwhile = "Until you reconnect, your daily sales keep posting as before; only payouts wait. Nothing posted so far changes.";
  const sent = await deps.email.send({
    to: [merchant.email],
    subject: "Reconnect Square to daybook to post your deposits",
    purpose: "reconnect",
    merchantId: connection.merchantId,
    text: `${why}\n\nReconnect Square on your connections page (sign in if asked):\n${link}\n\n${meanwhile}\n`,
    html: `<p>${why}</p><p><a href="${link}">Reconnect Square on your connections page</a> (sign in if asked).</p><p>${meanwhile}</p>`,
  });
  return sent === "held" ? "held" : "sent";
}
