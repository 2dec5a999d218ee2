/**
 * The business's name (Merchant.name): GET /business-name asks for it (the first sign-in lands here
 * while it is blank), suggesting the connected QuickBooks company's name; POST /business-name saves it
 * from that page or from the account page, and goes back to where it was sent from.
 */
import type { Hono } from "hono";
import * as z from "zod/mini";
import type { AppEnv, WebDeps } from "../deps";
import { check, formFields, keptValue, typed } from "../forms";
import { timeZoneList } from "../time-zones";
import { AccountPage } from "../pages/account";
import { BUSINESS_NAME_MAX, BusinessNamePage } from "../pages/business-name";
import { requireSignedIn, signedIn } from "../session";

const businessNameForm = z.object({
  name: typed("Enter the business name.", BUSINESS_NAME_MAX, `A business name has at most ${String(BUSINESS_NAME_MAX)} characters.`).check(
    // eslint-disable-next-line no-control-regex -- control characters are what is refused
    z.refine((name) => !/[\u0000-\u001f\u007f]/.test(name), "Use letters, digits, spaces and punctuation only."),
  ),
});

export function addBusinessNameRoutes(app: Hono<AppEnv>, deps: WebDeps): void {
  app.get("/business-name", requireSignedIn(), async (c) => {
    const { merchant, viewer } = signedIn(c);
    const suggestion = merchant.name === "" ? await quickBooksCompanyName(deps, merchant.merchantId) : undefined;
    return c.html(BusinessNamePage({ viewer, value: merchant.name || (suggestion ?? ""), suggestedFrom: suggestion }));
  });

  app.post("/business-name", requireSignedIn(), async (c) => {
    const { merchant, viewer } = signedIn(c);
    const fields = await formFields(c);
    const form = check(businessNameForm, fields);
    const next = fields["next"] === "/account" ? "/account" : "/connections";
    if (!form.ok) {
      const typedName = keptValue(fields["name"], BUSINESS_NAME_MAX);
      const error = form.errors["name"] ?? "Enter the business name.";
      return c.html(next === "/account"
        ? AccountPage({ viewer, merchant, timeZones: timeZoneList(), typedName, nameError: error })
        : BusinessNamePage({ viewer, value: typedName, error }), 400);
    }
    await deps.store.setMerchantName(merchant.merchantId, form.value.name);
    deps.log("info", "business name saved", { merchantId: merchant.merchantId });
    return c.redirect(next === "/account" ? "/account?named" : "/connections", 303);
  });
}

/** The name of the merchant's connected QuickBooks company, as captured when it was connected. */
async function quickBooksCompanyName(deps: WebDeps, merchantId: string): Promise<string | undefined> {
  const connections = await deps.store.listConnections(merchantId);
  return connections.find((connection) => connection.provider === "quickbooks" && connection.status === "active" && connection.accountName)?.accountName;
}
