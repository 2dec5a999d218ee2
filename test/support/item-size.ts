/**
 * An item's size as DynamoDB counts it against the 400 KB limit, from its wire form: names and
 * strings are UTF-8 bytes, a number about one byte per two significant digits plus one, and each map
 * or list 3 bytes plus 1 per element.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html
 */
import type { AttributeValue } from "@aws-sdk/client-dynamodb";

const utf8 = (text: string): number => Buffer.byteLength(text, "utf8");

function numberSize(text: string): number {
  const digits = text.replace(/^-/, "").replace(/e.*$/i, "").replace(".", "").replace(/^0+/, "").replace(/0+$/, "");
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
}

function valueSize(value: AttributeValue): number {
  if (value.S !== undefined) return utf8(value.S);
  if (value.N !== undefined) return numberSize(value.N);
  if (value.B !== undefined) return value.B.byteLength;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.L !== undefined) return 3 + value.L.reduce((total, element) => total + 1 + valueSize(element), 0);
  if (value.M !== undefined) return 3 + Object.entries(value.M).reduce((total, [name, element]) => total + 1 + utf8(name) + valueSize(element), 0);
  if (value.SS !== undefined) return value.SS.reduce((total, text) => total + utf8(text), 0);
  if (value.NS !== undefined) return value.NS.reduce((total, text) => total + numberSize(text), 0);
  throw new Error(`cannot size attribute value ${JSON.stringify(value)}`);
}

export function dynamoItemSize(item: Record<string, AttributeValue>): number {
  return Object.entries(item).reduce((total, [name, value]) => total + utf8(name) + valueSize(value), 0);
}
