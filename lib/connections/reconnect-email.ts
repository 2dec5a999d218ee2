/**
 * The email a merchant gets when a provider stopped accepting daybook's tokens (the token keeper's
 * onNeedsReconnect): what happened, and a link to the connections page to reconnect. The link carries
 * no secret; the merchant signs in as usual.
 */
import type { EmailSender } from "../email/email";
import { type Connection, PROVIDER_NAMES } from "../model";
import type { Store } from "../store/store";

export interface ReconnectEmailDeps {
  store: Store;
  email: EmailSender;
  publicUrl: string;
}

/** For TokenKeeperOptions.onNeedsReconnect. */
export function reconnectNotifier(deps: ReconnectEmailDeps): (connection: Pick<Connection, "merchantId" | "provider">) => Promise<void> {
  return (connection) => sendReconnectEmail(deps, connection);
}

export async function sendReconnectEmail(deps: ReconnectEmailDeps, connection: Pick<Connection, "merchantId" | "provider">): Promise<void> {
  const merchant = await deps.store.getMerchant(connection.merchantId);
  // An account deleted meanwhile has nobody to tell.
  if (!merchant) return;
  const name = PROVIDER_NAMES[connection.provider];
  const link = `${deps.publicUrl}/connections`;
  const role = connection.provider === "quickbooks" ? "post your daily journal entries to QuickBooks" : `read your daily sales from ${name}`;
  await deps.email.send({
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
}

/**
 * Sent once per Square connection made before daybook asked for PAYOUTS_READ (lib/payouts/post-payouts.ts):
 * why reconnecting is worth it, and that the days keep posting meanwhile.
 */
export async function sendPayoutsScopeEmail(deps: ReconnectEmailDeps, connection: Pick<Connection, "merchantId">): Promise<void> {
  const merchant = await deps.store.getMerchant(connection.merchantId);
  if (!merchant) return;
  const link = `${deps.publicUrl}/connections`;
  const why =
    "daybook can now post each Square payout to your bank account in QuickBooks, so every deposit on your bank statement matches one entry. " +
    "Square asks you to allow daybook to read your payouts first, which your current connection does not include.";
  const meanwhile = "Until you reconnect, your daily sales keep posting as before; only payouts wait. Nothing posted so far changes.";
  await deps.email.send({
    to: [merchant.email],
    subject: "Reconnect Square to daybook to post your deposits",
    purpose: "reconnect",
    merchantId: connection.merchantId,
    text: `${why}\n\nReconnect Square on your connections page (sign in if asked):\n${link}\n\n${meanwhile}\n`,
    html: `<p>${why}</p><p><a href="${link}">Reconnect Square on your connections page</a> (sign in if asked).</p><p>${meanwhile}</p>`,
  });
}
