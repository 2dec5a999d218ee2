import { readFileSync } from "node:fs";
import { parseMapping } from "../../lib/domain/mapping";

export const FIXTURES = new URL("../fixtures/", import.meta.url);

export function fixturePath(relative: string): string {
  return new URL(relative, FIXTURES).pathname;
}

export function readFixture(relative: string): unknown {
  return JSON.parse(readFileSync(new URL(relative, FIXTURES), "utf8"));
}

export const squareCatalog = () => readFixture("square/catalog.json");
export const squareMapping = () => parseMapping(readFixture("square/mapping.json"));
export const cloverItems = () => readFixture("clover/items.json");
export const cloverMapping = () => parseMapping(readFixture("clover/mapping.json"));
