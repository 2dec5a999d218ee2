/**
 * Item keys. Everything of a merchant sits under `MERCHANT#<merchantId>`, so one query reads or
 * exports it all and account deletion is one partition.
 */
import { StoreError } from "./errors";

export interface ItemKey {
  PK: string;
  SK: string;
}

/** Ids become key segments; a "#" inside one would blur the boundary between segments. */
function segment(value: string, what: string): string {
  if (value === "" || value.includes("#")) {
    throw new StoreError(`${what} must be a non-empty id without "#", got ${JSON.stringify(value)}`);
  }
  return value;
}

const merchantPartition = (merchantId: string): string => `MERCHANT#${segment(merchantId, "merchantId")}`;

export const keys = {
  merchant: (merchantId: string): ItemKey => ({ PK: merchantPartition(merchantId), SK: "PROFILE" }),
  connection: (merchantId: string, connectionId: string): ItemKey => ({
    PK: merchantPartition(merchantId),
    SK: `CONNECTION#${segment(connectionId, "connectionId")}`,
  }),
  location: (merchantId: string, locationId: string): ItemKey => ({
    PK: merchantPartition(merchantId),
    SK: `LOCATION#${segment(locationId, "locationId")}`,
  }),
  syncRecord: (merchantId: string, locationId: string, businessDay: string): ItemKey => ({
    PK: merchantPartition(merchantId),
    SK: `SYNC#${segment(locationId, "locationId")}#${segment(businessDay, "businessDay")}`,
  }),
};
