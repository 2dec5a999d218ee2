/**
 * The CDK app: the daybook stack, its settings from the CDK context (cdk.json's "context", or
 * `-c name=value`), and cdk-nag's AwsSolutions checks, which fail the synth on any finding the stack
 * has not acknowledged with a reason. `npm run synth` (scripts/synth.ts) and the tests build it
 * through createDaybookApp; cdk.json runs this file.
 */
import { pathToFileURL } from "node:url";
import { App, type AppProps, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import { DEFAULT_FLEET } from "./capacity";
import { DaybookStack } from "./stack";

export const STACK_NAME = "Daybook";

export function createDaybookApp(props: AppProps = {}): { app: App; stack: DaybookStack } {
  const app = new App(props);
  const setting = (name: string): string => {
    const value: unknown = app.node.tryGetContext(name);
    if (typeof value !== "string" || value === "") throw new Error(`set the CDK context value "${name}" (cdk.json or -c ${name}=...)`);
    return value;
  };
  const quickBooksEnvironment = setting("quickBooksEnvironment");
  if (quickBooksEnvironment !== "sandbox" && quickBooksEnvironment !== "production") {
    throw new Error('the CDK context value "quickBooksEnvironment" must be sandbox or production');
  }
  const alarmEmail: unknown = app.node.tryGetContext("alarmEmail");
  // The busiest zone's locations the worker's concurrency is sized for (infra/capacity.ts).
  const fleetLocations: unknown = app.node.tryGetContext("fleetLocations");
  if (fleetLocations !== undefined && !(typeof fleetLocations === "number" && Number.isInteger(fleetLocations) && fleetLocations > 0)) {
    throw new Error('the CDK context value "fleetLocations" must be a whole number of locations');
  }

  const stack = new DaybookStack(app, STACK_NAME, {
    description: "daybook: nightly POS daily totals to QuickBooks Online",
    publicUrl: setting("publicUrl"),
    emailFrom: setting("emailFrom"),
    clientIds: { square: setting("squareClientId"), clover: setting("cloverAppId"), quickbooks: setting("quickBooksClientId") },
    quickBooksEnvironment,
    secretPrefix: setting("secretPrefix"),
    ...(typeof alarmEmail === "string" && alarmEmail !== "" ? { alarmEmail } : {}),
    ...(typeof fleetLocations === "number" ? { fleet: { ...DEFAULT_FLEET, locations: fleetLocations } } : {}),
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}

// Run by the CDK CLI (cdk.json "app"): the CLI passes the context and output folder, and the app synthesises on exit.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) createDaybookApp();
