/**
 * vitest globalSetup of the services project: one moto_server for the whole run, its endpoint handed to
 * tests through `inject("motoEndpoint")`, and a second one for SES alone (`inject("mailEndpoint")`).
 * Tests read what SES sent from moto's model dump (/moto-api/data.json), which walks every object moto
 * ever made; on the shared server that is tens of thousands of DynamoDB items by the end of a run, and
 * the dump held the whole server for seconds at each read. Without a working moto_server the run stops
 * with one line: integration tests never skip.
 */
import type { TestProject } from "vitest/node";
import { MotoStartError, startMoto } from "../../sandbox/moto";

declare module "vitest" {
  export interface ProvidedContext {
    motoEndpoint: string;
    mailEndpoint: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  try {
    const [moto, mail] = await Promise.all([startMoto({ lean: true }), startMoto({ lean: true })]);
    project.provide("motoEndpoint", moto.endpoint);
    project.provide("mailEndpoint", mail.endpoint);
    return async () => {
      await Promise.all([moto.stop(), mail.stop()]);
    };
  } catch (error) {
    if (!(error instanceof MotoStartError)) throw error;
    // Thrown, vitest would print "No test files found" and a stack around it; one line says it better.
    process.stderr.write(`\n${error.message}\n`);
    process.exit(1);
  }
}
