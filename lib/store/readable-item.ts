/**
 * A raw item (the wire form a Scan returns) with what daybook keeps compressed opened: every binary
 * attribute whose name ends in "Z" (compressed.ts), at any depth, as the text it holds, a report's
 * packed content (report-pack.ts) as the report's JSON, and a sync record's posted entries (`postedD`,
 * sync-records.ts) as their JSON. What a person or a test reading the table
 * itself must see (the only-totals scan). No function loads it.
 */
import { brotliDecompressSync } from "node:zlib";
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { KIND_PREFIX } from "./keys";
import { REPORT_PREFIX, reportContentText } from "./reports";
import { postedText } from "./sync-records";

export function readableItem(item: Record<string, AttributeValue>): Record<string, AttributeValue> {
  const sortKey = item["SK"]?.S ?? "";
  return Object.fromEntries(Object.entries(item).map(([name, value]) => {
    if (name === "packed" && value.B !== undefined && sortKey.startsWith(REPORT_PREFIX)) {
      const text = reportContentText({ SK: sortKey, status: item["status"]?.S, packed: value.B }, `the stored report ${sortKey}`);
      return [name, { S: text }];
    }
    if (name === "postedD" && value.B !== undefined && sortKey.startsWith(KIND_PREFIX.syncRecord)) return [name, { S: postedText(value.B, `the posted entries in ${sortKey}`) }];
    return [name, readableValue(name, value)];
  }));
}

function readableValue(name: string, value: AttributeValue): AttributeValue {
  if (value.B !== undefined && name.endsWith("Z")) return { S: brotliDecompressSync(value.B).toString("utf8") };
  if (value.M !== undefined) return { M: Object.fromEntries(Object.entries(value.M).map(([inner, each]) => [inner, readableValue(inner, each)])) };
  if (value.L !== undefined) return { L: value.L.map((each) => readableValue("", each)) };
  return value;
}
