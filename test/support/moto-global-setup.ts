/**
 * vitest globalSetup: one moto_server for the whole run, its endpoint handed to tests through
 * `inject("motoEndpoint")`. Without a working moto_server the run stops with one line: integration
 * tests never skip.
 */
import type { TestProject } from "vitest/node";
import { MotoStartError, startMoto } from "../../sandbox/moto";

declare module "vitest" {
  export interface ProvidedContext {
    motoEndpoint: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  try {
    const moto = await startMoto();
    project.provide("motoEndpoint", moto.endpoint);
    return () => moto.stop();
  } catch (error) {
    if (!(error instanceof MotoStartError)) throw error;
    // Thrown, vitest would print "No test files found" and a stack around it; one line says it better.
    process.stderr.write(`\n${error.message}\n`);
    process.exit(1);
  }
}
