/**
 * The CDK stack's promises, checked on the synthesised template (aws-cdk-lib/assertions) and with
 * cdk-nag's AwsSolutions pack, on the app as cdk.json configures it.
 *
 * Test only: bundling is skipped through CDK's own `aws:cdk:bundling-stacks` context (set to no
 * stacks), which leaves the template the same except the asset hashes and keeps this file to a few
 * seconds. `npm run synth` bundles for real with the local esbuild and prints each bundle's size.
 */
import { type Bundle, FUNCTION_NAMES, type FunctionName, loadedAtStart, loadedOnDemand, packagesAtStart, withStaticImports } from "../../infra/bundle";
import { DEFAULT_FLEET, WORKER_TIMEOUT_MINUTES, workerConcurrencyFor } from "../../infra/capacity";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { spawnSync } from "node:child_process";
import { join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { App, type CfnElement, Stack } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { Topic } from "aws-cdk-lib/aws-sns";
import { AwsSolutionsChecks } from "cdk-nag";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FUNCTION_ENV } from "../../bench/bundles";
import { createDaybookApp } from "../../infra/app";
import { type DaybookStack, MAX_RECEIVE_COUNT, RUNTIME } from "../../infra/stack";
import { loadConfig } from "../../lib/config";
import { METRIC_NAMES, METRICS_NAMESPACE, SERVICE_NAMES } from "../../lib/metrics-names";
import { parameterVariable, SECRET_PARAMETERS, type SecretVariable } from "../../lib/secrets/ssm";
import { isRefreshSweepEvent, REFRESH_SWEEP_EVENT } from "../../lib/connections/refresh-sweep";
import { type ItemKind, itemKindOf, POINT_IN_TIME_RECOVERY_DAYS, RETENTION } from "../../lib/store/retention";
import { TABLE, TABLE_ACCESS } from "../../lib/store/table";
import { builtBundle } from "../support/bundles";
import { everyItemKind } from "../support/every-item-kind";

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Principal?: { AWS?: unknown };
  Condition?: Record<string, Record<string, unknown>>;
}
interface Resource {
  Type: string;
  Properties: Record<string, unknown> & { PolicyDocument?: { Statement: Statement[] }; KeyPolicy?: { Statement: Statement[] } };
}

const outdir = mkdtempSync(join(tmpdir(), "daybook-cdk-"));
let stack: DaybookStack;
let template: Template;
let resources: Record<string, Resource>;
let app: App;

beforeAll(() => {
  const cdkJson = JSON.parse(readFileSync("cdk.json", "utf8")) as { context: Record<string, unknown> };
  // Also skipped here: CDK's built-in CloudFormation schema check (about 10 s); `npm run synth` runs it.
  ({ app, stack } = createDaybookApp({ outdir, context: { ...cdkJson.context, "aws:cdk:bundling-stacks": [] }, builtinCloudFormationValidation: false }));
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources as Record<string, Resource>;
}, 60_000);

afterAll(() => {
  rmSync(outdir, { recursive: true, force: true });
});

const logicalId = (element: { node: { defaultChild?: unknown } }) => stack.getLogicalId(element.node.defaultChild as CfnElement);
const ofType = (type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type);
const actionsOf = (statement: Statement) => [statement.Action].flat();
const mentions = (value: unknown, id: string) => JSON.stringify(value).includes(`"${id}"`);

/** Every IAM statement attached to a function's role. */
function roleStatements(fn: "api" | "scheduler" | "worker"): Statement[] {
  const roleId = logicalId(stack.functions[fn].role as unknown as { node: { defaultChild?: unknown } });
  return ofType("AWS::IAM::Policy")
    .filter(([, policy]) => mentions(policy.Properties.Roles, roleId))
    .flatMap(([, policy]) => policy.Properties.PolicyDocument?.Statement ?? []);
}

function keyPolicy(keyId: string): Statement[] {
  const key = resources[keyId];
  if (key?.Type !== "AWS::KMS::Key") throw new Error(`${keyId} is not a key`);
  return key.Properties.KeyPolicy?.Statement ?? [];
}

describe("storage", () => {
  it("builds the table from lib/store/table.ts: keys, GSI1, GSI2, on-demand, TTL on expiresAt, PITR, a customer-managed key, retained", () => {
    template.hasResource("AWS::DynamoDB::Table", {
      DeletionPolicy: "Retain",
      Properties: Match.objectLike({
        KeySchema: [{ AttributeName: TABLE.partitionKey.name, KeyType: "HASH" }, { AttributeName: TABLE.sortKey.name, KeyType: "RANGE" }],
        BillingMode: "PAY_PER_REQUEST",
        // Keys only: a token rewrite writes no index copy (table.ts); new names, as a projection cannot change in place.
        GlobalSecondaryIndexes: ["GSI1", "GSI2"].map((name) => Match.objectLike({
          IndexName: `${name}Keys`,
          KeySchema: [{ AttributeName: `${name}PK`, KeyType: "HASH" }, { AttributeName: `${name}SK`, KeyType: "RANGE" }],
          Projection: { ProjectionType: "KEYS_ONLY" },
        })),
        TimeToLiveSpecification: { AttributeName: "expiresAt", Enabled: true },
        PointInTimeRecoverySpecification: Match.objectLike({ PointInTimeRecoveryEnabled: true }),
        SSESpecification: { SSEEnabled: true, SSEType: "KMS", KMSMasterKeyId: { "Fn::GetAtt": [Match.stringLikeRegexp("^TableKey"), "Arn"] } },
      }),
    });
  });

  it("keeps point-in-time backups 30 days at most, so a deleted account's data leaves them within the promised 30 days", () => {
    const [[, table]] = ofType("AWS::DynamoDB::Table") as [[string, Resource]];
    const recovery = table.Properties.PointInTimeRecoverySpecification as { PointInTimeRecoveryEnabled: boolean; RecoveryPeriodInDays: number };
    expect(recovery.PointInTimeRecoveryEnabled).toBe(true);
    expect(recovery.RecoveryPeriodInDays).toBeLessThanOrEqual(30);
    expect(recovery.RecoveryPeriodInDays).toBe(POINT_IN_TIME_RECOVERY_DAYS);
  });

  it("expires every transient kind of item through the table's TTL attribute, written by the real stores", async () => {
    const [[, table]] = ofType("AWS::DynamoDB::Table") as [[string, Resource]];
    const ttl = table.Properties.TimeToLiveSpecification as { AttributeName: string; Enabled: boolean };
    expect(ttl.Enabled).toBe(true);
    const transient: ItemKind[] = ["sync-record", "report", "failure-report", "backfill", "sign-in-link", "session", "oauth-state", "rate-limit", "idempotency"];
    for (const kind of transient) expect(RETENTION[kind].expires, kind).toBe(true);
    const items = await everyItemKind();
    for (const kind of transient) {
      const ofKind = items.filter((item) => itemKindOf(item) === kind);
      expect(ofKind.length, kind).toBeGreaterThan(0);
      for (const item of ofKind) expect(typeof item[ttl.AttributeName], kind).toBe("number");
    }
  }, 30_000);

  it("rotates both keys and keeps them when the stack goes", () => {
    const keys = ofType("AWS::KMS::Key");
    expect(keys).toHaveLength(2);
    for (const [, key] of keys) expect(key.Properties.EnableKeyRotation).toBe(true);
    template.allResources("AWS::KMS::Key", { DeletionPolicy: "Retain", UpdateReplacePolicy: "Retain" });
  });
});

describe("the token key", () => {
  it("lets only the api and worker roles make and open data keys, only under a merchant's context; tokens sealed before only opened, under their full context", () => {
    const statements = keyPolicy(logicalId(stack.tokenKey));
    const users = statements.filter((statement) => actionsOf(statement).some((action) => /^kms:(Encrypt|Decrypt|ReEncrypt|GenerateDataKey|\*)/.test(action)));
    expect(users.map((statement) => statement.Sid)).toEqual(["FunctionsSealAndOpenTokensUnderTheMerchant", "FunctionsOpenTokensSealedBefore"]);
    const [use, earlier] = users;
    for (const statement of [use!, earlier!]) {
      expect(statement.Principal?.AWS).toEqual([
        { "Fn::GetAtt": [logicalId(stack.functions.api.role as never), "Arn"] },
        { "Fn::GetAtt": [logicalId(stack.functions.worker.role as never), "Arn"] },
      ]);
    }
    expect(actionsOf(use!).sort()).toEqual(["kms:Decrypt", "kms:GenerateDataKey"]);
    expect(use!.Condition).toEqual({
      "ForAllValues:StringEquals": { "kms:EncryptionContextKeys": ["merchantId"] },
      StringLike: { "kms:EncryptionContext:merchantId": "?*" },
    });
    expect(actionsOf(earlier!)).toEqual(["kms:Decrypt"]);
    expect(earlier!.Condition).toEqual({
      "ForAllValues:StringEquals": { "kms:EncryptionContextKeys": ["merchantId", "provider", "connectionId"] },
      StringEquals: { "kms:EncryptionContext:provider": ["square", "clover", "quickbooks"] },
      StringLike: { "kms:EncryptionContext:merchantId": "?*", "kms:EncryptionContext:connectionId": "?*" },
    });
  });

  it("gives the account administration but not use, so no IAM policy can grant use or grants", () => {
    const [admin] = keyPolicy(logicalId(stack.tokenKey)).filter((statement) => statement.Sid === "AccountAdministersButDoesNotUse");
    const actions = actionsOf(admin!);
    for (const forbidden of ["kms:*", "kms:Decrypt", "kms:Encrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:CreateGrant", "kms:Create*"]) {
      expect(actions).not.toContain(forbidden);
    }
    expect(actions).toContain("kms:ScheduleKeyDeletion");
  });

  it("is named to the api and worker, and to no function's IAM policy at all (the key policy alone decides)", () => {
    const tokenKeyId = logicalId(stack.tokenKey);
    for (const fn of ["api", "scheduler", "worker"] as const) {
      expect(roleStatements(fn).filter((statement) => mentions(statement.Resource, tokenKeyId))).toEqual([]);
    }
    const environmentOf = (fn: "api" | "scheduler" | "worker") =>
      (resources[logicalId(stack.functions[fn])]!.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(environmentOf("api").DAYBOOK_KMS_KEY_ID).toEqual({ "Fn::GetAtt": [tokenKeyId, "Arn"] });
    expect(environmentOf("worker").DAYBOOK_KMS_KEY_ID).toEqual({ "Fn::GetAtt": [tokenKeyId, "Arn"] });
    expect(environmentOf("scheduler")).not.toHaveProperty("DAYBOOK_KMS_KEY_ID");
  });
});

describe("least privilege", () => {
  it("lets the scheduler read and write items, send jobs, send the morning digests and write its logs, and nothing else: no Scan, no KMS of its own, no consuming jobs", () => {
    const statements = roleStatements("scheduler");
    const actions = statements.flatMap(actionsOf);
    expect(actions).not.toContain("dynamodb:Scan");
    expect(actions.filter((action) => /^(sqs:ReceiveMessage|sqs:DeleteMessage)/.test(action))).toEqual([]);
    expect(actions.filter((action) => action.startsWith("ses:"))).toEqual(["ses:SendEmail"]);
    // Only the link key's parameter (next test): the digests' unsubscribe and approve links.
    expect(actions.filter((action) => action.startsWith("ssm:")).sort()).toEqual(["ssm:GetParameter", "ssm:GetParameters"]);
    // The table key only through DynamoDB: the role cannot call kms:Decrypt itself.
    for (const statement of statements.filter((candidate) => actionsOf(candidate).some((action) => action.startsWith("kms:")))) {
      expect(statement.Resource).toEqual({ "Fn::GetAtt": [logicalId(stack.node.findChild("TableKey") as never), "Arn"] });
      expect(statement.Condition).toEqual({ StringEquals: { "kms:ViaService": { "Fn::Join": ["", ["dynamodb.", { Ref: "AWS::Region" }, ".amazonaws.com"]] } } });
    }
  });

  it("lets each function reach only the table's partitions and indexes it uses (dynamodb:LeadingKeys), as TABLE_ACCESS lists them", () => {
    const tableArn = { "Fn::GetAtt": [logicalId(stack.table), "Arn"] };
    for (const fn of ["api", "scheduler", "worker"] as const) {
      const dynamo = roleStatements(fn).filter((statement) => actionsOf(statement).some((action) => action.startsWith("dynamodb:")));
      const items = dynamo.filter((statement) => JSON.stringify(statement.Resource) === JSON.stringify(tableArn));
      expect(items, fn).toHaveLength(1);
      expect(items[0]!.Condition, fn).toEqual({ "ForAllValues:StringLike": { "dynamodb:LeadingKeys": TABLE_ACCESS[fn].partitions.map((prefix) => `${prefix}*`) } });
      expect(actionsOf(items[0]!), fn).not.toContain("dynamodb:Scan");
      const indexes = dynamo.filter((statement) => statement !== items[0]);
      expect(indexes.flatMap(actionsOf), fn).toEqual(TABLE_ACCESS[fn].indexes.length > 0 ? ["dynamodb:Query"] : []);
      const indexArns = indexes.flatMap((statement) => [statement.Resource].flat()).map((arn) => JSON.stringify(arn).match(/\/index\/([^"]+)"/)?.[1]);
      expect(indexArns, fn).toEqual([...TABLE_ACCESS[fn].indexes]);
    }
    // None of them reaches sessions, sign-in links or OAuth states but the web app; the scheduler no index at all.
    expect(TABLE_ACCESS.worker.partitions).not.toContain("SESSION#");
    expect(TABLE_ACCESS.scheduler.indexes).toEqual([]);
  });

  it("lets each function read exactly the secrets it uses, by parameter ARN", () => {
    const parametersOf = (fn: "api" | "scheduler" | "worker") => roleStatements(fn)
      .filter((statement) => actionsOf(statement).some((action) => action.startsWith("ssm:")))
      .flatMap((statement) => [statement.Resource].flat())
      .map((arn) => JSON.stringify(arn).match(/:parameter(\/[^"]+)/)?.[1]);
    expect(parametersOf("scheduler")).toEqual(["/daybook/link-signing-key"]);
    expect(parametersOf("worker")).toEqual(["/daybook/square/client-secret", "/daybook/clover/app-secret", "/daybook/quickbooks/client-secret", "/daybook/link-signing-key"]);
    expect(parametersOf("api").sort()).toEqual(Object.values(SECRET_PARAMETERS).map((name) => `/daybook/${name}`).sort());
  });

  it("lets only the worker consume jobs, and gives each function a log group of its own to write to", () => {
    const consumers = (["api", "scheduler", "worker"] as const).filter((fn) => roleStatements(fn).some((statement) => actionsOf(statement).includes("sqs:DeleteMessage")));
    expect(consumers).toEqual(["worker"]);
    for (const fn of ["api", "scheduler", "worker"] as const) {
      const logStatements = roleStatements(fn).filter((statement) => actionsOf(statement).some((action) => action.startsWith("logs:")));
      const logGroupId = (resources[logicalId(stack.functions[fn])]!.Properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
      expect(logStatements.map((statement) => statement.Resource)).toEqual([{ "Fn::GetAtt": [logGroupId, "Arn"] }]);
    }
    // No AWS managed policy (AWSLambdaBasicExecutionRole would allow every log group).
    for (const [, role] of ofType("AWS::IAM::Role")) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });
});

describe("functions", () => {
  it("run the current Node.js runtime on arm64, each its own ESM entry, each with its own 14-day log group", () => {
    const functions = ofType("AWS::Lambda::Function");
    expect(functions).toHaveLength(3);
    expect(Object.entries(stack.functions).map(([name, fn]) => [name, resources[logicalId(fn)]?.Properties["Handler"]]))
      .toEqual([["api", "api.handler"], ["scheduler", "scheduler.handler"], ["worker", "worker.handler"]]);
    expect(resources[logicalId(stack.functions.worker)]?.Properties["MemorySize"]).toBeLessThanOrEqual(512);
    for (const [, fn] of functions) {
      expect(fn.Properties).toMatchObject({ Runtime: "nodejs24.x", Architectures: ["arm64"] });
      const logGroupId = (fn.Properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
      expect(resources[logGroupId]).toMatchObject({ Type: "AWS::Logs::LogGroup", Properties: { RetentionInDays: 14 } });
    }
  });

  it("run on the Node major that the tests, npm start and the bench run on (package.json's node devDependency)", () => {
    const packageJson = JSON.parse(readFileSync("package.json", "utf8")) as { devDependencies: { node: string } };
    expect(packageJson.devDependencies.node).toMatch(/^\^\d+$/);
    expect(RUNTIME.name).toBe(`nodejs${packageJson.devDependencies.node.slice(1)}.x`);
  });

  it("give each function the settings its own config schema asks for", () => {
    const sample = (name: string, value: unknown): string => {
      if (typeof value === "string") return value;
      // Tokens resolve at deploy time; stand in with values of the right shape.
      if (name.endsWith("_URL")) return "https://sqs.us-east-1.amazonaws.com/123456789012/jobs.fifo";
      return name.endsWith("_ARN") ? "arn:aws:sqs:us-east-1:123456789012:jobs-dead-letters.fifo" : `resolved-${name.toLowerCase()}`;
    };
    const environmentOf = (fn: "api" | "scheduler" | "worker") => Object.fromEntries(Object.entries(
      (resources[logicalId(stack.functions[fn])]!.Properties.Environment as { Variables: Record<string, unknown> }).Variables,
    ).map(([name, value]) => [name, sample(name, value)]));

    // The api and the worker resolve `<NAME>_PARAMETER` into `<NAME>` with lib/secrets/ssm.ts before validating.
    const withSecrets = (environment: Record<string, string>) => {
      const resolved: Record<string, string> = { ...environment };
      for (const variable of Object.keys(SECRET_PARAMETERS) as SecretVariable[]) {
        const parameter = environment[parameterVariable(variable)];
        // The link-signing key is 32 random bytes in base64; the others any text.
        if (parameter !== undefined) resolved[variable] = variable === "DAYBOOK_LINK_KEY" ? Buffer.alloc(32, 7).toString("base64") : `value-of-${parameter}`;
      }
      return resolved;
    };
    expect(() => loadConfig("api", withSecrets(environmentOf("api")))).not.toThrow();
    expect(() => loadConfig("scheduler", withSecrets(environmentOf("scheduler")))).not.toThrow();
    expect(loadConfig("worker", withSecrets(environmentOf("worker")))).toMatchObject({
      DAYBOOK_MAX_ATTEMPTS: MAX_RECEIVE_COUNT, QUICKBOOKS_CLIENT_SECRET: "value-of-/daybook/quickbooks/client-secret",
    });
  });

  it("serve the web app through a public function URL (the app checks sessions itself)", () => {
    template.hasResourceProperties("AWS::Lambda::Url", { AuthType: "NONE", TargetFunctionArn: { "Fn::GetAtt": [logicalId(stack.functions.api), "Arn"] } });
  });

  it("run the scheduler every 15 minutes through EventBridge Scheduler, each tick ending within its interval", () => {
    template.hasResourceProperties("AWS::Scheduler::Schedule", {
      ScheduleExpression: "rate(15 minutes)",
      Target: Match.objectLike({ Arn: { "Fn::GetAtt": [logicalId(stack.functions.scheduler), "Arn"] } }),
    });
    // A zone's midnight gets most of the interval (the tick stops 45 s before the timeout), never more.
    const timeout = resources[logicalId(stack.functions.scheduler)]!.Properties.Timeout as number;
    expect(timeout).toBeGreaterThanOrEqual(10 * 60);
    expect(timeout).toBeLessThan(15 * 60);
  });

  it("run the refresh sweep in the worker every 6 hours through EventBridge Scheduler, with the event the worker tells apart", () => {
    template.hasResourceProperties("AWS::Scheduler::Schedule", {
      ScheduleExpression: "rate(6 hours)",
      Target: Match.objectLike({ Arn: { "Fn::GetAtt": [logicalId(stack.functions.worker), "Arn"] }, Input: JSON.stringify(REFRESH_SWEEP_EVENT) }),
    });
    expect(isRefreshSweepEvent(JSON.parse(JSON.stringify(REFRESH_SWEEP_EVENT)))).toBe(true);
  });
});

describe("jobs", () => {
  it("go through an encrypted, TLS-only FIFO queue with a FIFO dead-letter queue after 5 receives", () => {
    const queueId = logicalId(stack.queue);
    const deadLettersId = logicalId(stack.deadLetterQueue);
    expect(resources[queueId]!.Properties).toMatchObject({
      FifoQueue: true, SqsManagedSseEnabled: true,
      RedrivePolicy: { deadLetterTargetArn: { "Fn::GetAtt": [deadLettersId, "Arn"] }, maxReceiveCount: MAX_RECEIVE_COUNT },
    });
    expect(resources[deadLettersId]!.Properties).toMatchObject({ FifoQueue: true, SqsManagedSseEnabled: true });
    for (const id of [queueId, deadLettersId]) {
      template.hasResourceProperties("AWS::SQS::QueuePolicy", {
        Queues: [{ Ref: id }],
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } })]) },
      });
    }
    // The worker's timeout fits six times in the visibility timeout: a running batch is never handed out again.
    const worker = resources[logicalId(stack.functions.worker)]!.Properties;
    expect(resources[queueId]!.Properties.VisibilityTimeout).toBe(6 * (worker.Timeout as number));
    expect(resources[deadLettersId]!.Properties.VisibilityTimeout).toBe(6 * (worker.Timeout as number));
  });

  it("that reach the dead-letter queue go back to the worker one at a time, which reports their day failed (a job whose every attempt timed out)", () => {
    const deadLettersId = logicalId(stack.deadLetterQueue);
    template.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      FunctionName: { Ref: logicalId(stack.functions.worker) },
      EventSourceArn: { "Fn::GetAtt": [deadLettersId, "Arn"] },
      BatchSize: 1,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
    });
    const environment = (resources[logicalId(stack.functions.worker)]!.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(environment["DAYBOOK_DEAD_LETTERS_ARN"]).toEqual({ "Fn::GetAtt": [deadLettersId, "Arn"] });
  });

  it("give a job time to read the busiest day's pages one after another: a 100k-order Square day's ListPayments pages at the cost model's 300 ms a call, twice over", () => {
    const worker = resources[logicalId(stack.functions.worker)]!.Properties;
    // bench part 1's 100k-order Square day holds about 128k payments; ListPayments gives 100 a page.
    const pagesSeconds = Math.ceil(128_000 / 100) * 0.3;
    expect(worker.Timeout as number).toBeGreaterThanOrEqual(2 * pagesSeconds);
    expect(worker.Timeout).toBe(WORKER_TIMEOUT_MINUTES * 60);
    expect(WORKER_TIMEOUT_MINUTES).toBeLessThanOrEqual(15);
  });

  it("reach the worker in FIFO-sized batches with partial batch failures and a concurrency sized from the fleet", () => {
    template.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      FunctionName: { Ref: logicalId(stack.functions.worker) },
      BatchSize: Match.anyValue(),
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      // cdk.json's 20,000 locations in the busiest zone: 20,000 × 4 s × 1.5 ÷ (1.5 h × 3,600 s).
      ScalingConfig: { MaximumConcurrency: workerConcurrencyFor({ ...DEFAULT_FLEET, locations: 20_000 }) },
    });
    expect(workerConcurrencyFor({ ...DEFAULT_FLEET, locations: 20_000 })).toBe(23);
    expect(workerConcurrencyFor({ locations: 200_000, jobSeconds: 4, hours: 1.5 })).toBe(223);
    expect(workerConcurrencyFor({ locations: 10, jobSeconds: 4, hours: 1.5 })).toBe(2);
    expect(workerConcurrencyFor({ locations: 5_000_000, jobSeconds: 4, hours: 1.5 })).toBe(1000);
    const [[, mapping]] = ofType("AWS::Lambda::EventSourceMapping") as [[string, Resource]];
    expect(mapping.Properties.BatchSize).toBeLessThanOrEqual(10);
  });
});

describe("alarms", () => {
  const alarmOn = (metricName: string) => ofType("AWS::CloudWatch::Alarm").find(([, alarm]) => alarm.Properties.MetricName === metricName)?.[1];

  it("watch the dead-letter queue, worker and scheduler errors and failed days, each to the SNS topic", () => {
    const topicId = logicalId(stack.alarmTopic);
    const deadLetters = alarmOn("ApproximateNumberOfMessagesVisible");
    expect(deadLetters?.Properties.Dimensions).toEqual([{ Name: "QueueName", Value: { "Fn::GetAtt": [logicalId(stack.deadLetterQueue), "QueueName"] } }]);
    const failedDays = alarmOn(METRIC_NAMES.failedDays);
    expect(failedDays?.Properties).toMatchObject({ Namespace: METRICS_NAMESPACE, Dimensions: [{ Name: "service", Value: SERVICE_NAMES.worker }], Statistic: "Sum" });
    const errors = ofType("AWS::CloudWatch::Alarm").filter(([, alarm]) => alarm.Properties.MetricName === "Errors")
      .map(([, alarm]) => (alarm.Properties.Dimensions as { Value: { Ref: string } }[])[0]!.Value.Ref).sort();
    expect(errors).toEqual([logicalId(stack.functions.scheduler), logicalId(stack.functions.worker)].sort());
    for (const [, alarm] of ofType("AWS::CloudWatch::Alarm")) {
      expect(alarm.Properties).toMatchObject({ Threshold: 0, ComparisonOperator: "GreaterThanThreshold", AlarmActions: [{ Ref: topicId }] });
    }
  });

  it("send to a topic that refuses plain HTTP", () => {
    template.hasResourceProperties("AWS::SNS::TopicPolicy", {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } })]) },
    });
  });
});

describe("cdk-nag AwsSolutions", () => {
  it("finds nothing that is not acknowledged, and every acknowledgement gives a reason", () => {
    const report = new AwsSolutionsChecks().validateScope(app);
    expect(report.violations.map((violation) => `${violation.severity} ${violation.ruleName}: ${violation.violatingResources.map((resource) => resource.constructPath).join(", ")}`)).toEqual([]);
    expect(report.success).toBe(true);
    const acknowledged = stack.node.findAll().flatMap((construct) => construct.node.metadata)
      .filter((entry) => entry.type === "aws:cdk:acknowledged-rules")
      .flatMap((entry) => Object.values(entry.data as Record<string, unknown>));
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const reason of acknowledged) expect(JSON.stringify(reason)).toMatch(/[a-z].{30,}\./);
  });

  it("would catch a finding: a topic that accepts plain HTTP fails", () => {
    const probe = new Stack(new App(), "NagProbe");
    new Topic(probe, "PlainHttp");
    const report = new AwsSolutionsChecks().validateScope(probe);
    expect(report.violations.map((violation) => violation.ruleName)).toContain("AwsSolutions-SNS3");
  });
});

describe("bundles (infra/bundle.ts, as the stack deploys them)", () => {
  const bundles = Object.fromEntries(FUNCTION_NAMES.map((name) => [name, builtBundle(name)]));

  it("are ESM entries with chunks, and what every invocation needs is all that loads at start", () => {
    for (const name of FUNCTION_NAMES) {
      const bundle = bundles[name] as Bundle;
      expect(bundle.files.filter((file) => file.entry).map((file) => file.path)).toEqual([`${name}.mjs`]);
      expect(bundle.files.filter((file) => !file.entry).every((file) => file.path.startsWith("chunks/") && file.path.endsWith(".mjs"))).toBe(true);
      const atStart = packagesAtStart(bundle);
      // The heavy clients load only on the paths that use them, each from a chunk of its own.
      for (const heavy of ["square", "intuit-oauth", "axios", "winston", "jsonwebtoken"]) expect(atStart.has(heavy), `${name}: ${heavy} at start`).toBe(false);
      // The SDK's default credential chain is replaced by the environment's provider.
      for (const file of bundle.files) expect(file.packages.some((pkg) => pkg.name === "@aws-sdk/credential-provider-node" || pkg.name === "@aws-sdk/credential-provider-sso")).toBe(false);
      // zod's mini build imported per module, so it is shaken, with the English locale alone.
      const zodInputs = Object.values(bundle.metafile.outputs).flatMap((output) => Object.entries(output.inputs))
        .filter(([input, { bytesInOutput }]) => input.includes("node_modules/zod/") && bytesInOutput > 0).map(([input]) => input);
      expect(zodInputs.filter((input) => /\/locales\/(?!en\.js$)[^/]+\.js$/.test(input)), `${name}: zod locales`).toEqual([]);
      expect(zodInputs.filter((input) => input.includes("/v4/classic/")), `${name}: zod's classic build`).toEqual([]);
      // The API's OpenAPI document is generated ahead of time (lib/api/openapi.ts): zod's JSON Schema generator is in no bundle.
      expect(zodInputs.filter((input) => /json-schema/.test(input)), `${name}: zod's JSON Schema generator`).toEqual([]);
    }
  });

  it("put the square SDK and intuit-oauth where the paths that use them load them", () => {
    const dynamicChunkWith = (bundle: Bundle, pkg: string) => bundle.files.find((file) => !file.entry && file.packages.some((each) => each.name === pkg));
    for (const name of ["api", "worker"] as const) {
      const bundle = bundles[name] as Bundle;
      const square = dynamicChunkWith(bundle, "square");
      const intuit = dynamicChunkWith(bundle, "intuit-oauth");
      expect(square, `${name}: a square chunk`).toBeDefined();
      expect(intuit, `${name}: an intuit-oauth chunk`).toBeDefined();
      expect(square?.path).not.toBe(intuit?.path);
      const dynamicallyImported = new Set(bundle.files.flatMap((file) => file.dynamicImports));
      expect(dynamicallyImported.has(square?.path ?? "")).toBe(true);
      expect(dynamicallyImported.has(intuit?.path ?? "")).toBe(true);
    }
    // The scheduler reads the due-index and sends jobs: neither client at all, and no vault (KMS).
    expect(bundles.scheduler?.files.some((file) => file.packages.some((pkg) => ["square", "intuit-oauth", "@aws-sdk/client-kms"].includes(pkg.name)))).toBe(false);
  });

  it("load daybook's own code a path does not always need on that path: the web app's route groups and provider readers, the scheduler's digests; the entry from a few files", () => {
    const modulesIn = (files: { path: string }[], bundle: Bundle) => {
      const paths = new Set(files.map((file) => join(bundle.outdir, file.path)));
      return new Set(Object.entries(bundle.metafile.outputs).filter(([output]) => paths.has(join(process.cwd(), output)))
        .flatMap(([, meta]) => Object.entries(meta.inputs).filter(([, { bytesInOutput }]) => bytesInOutput > 0).map(([input]) => input.replace(/^[\w-]+:/, "").replace(`${process.cwd()}/`, ""))));
    };
    // The daily email caps load with a process's first email (lib/wiring/email.ts): a page view, a tick and a night that posted send none.
    const EMAIL_CAPS = ["lib/email/caps.ts"];
    const onDemandOnly: Record<FunctionName, string[]> = {
      // Each page's group (lib/web/route-groups.ts), the pages' POS and QuickBooks readers, the stores no session reads.
      api: ["lib/web/routes/locations.ts", "lib/web/routes/mapping.ts", "lib/web/routes/days.ts", "lib/web/routes/sign-in.ts", "lib/api/routes.ts", "lib/api/openapi.json", "lib/pos/square/day.ts", "lib/pos/clover/day.ts", "lib/store/backfills.ts", "lib/store/api-keys.ts", "lib/store/due-index.ts", "lib/store/batch-items.ts", ...EMAIL_CAPS],
      // The refresh sweep's and a failed job's paths stay with the worker; what builds and sends digests does not load on a tick without any,
      // nor the due-index's registrations and the digests' claims (a tick reads due entries and due marks: lib/store/due-index-tick.ts, due-digest-marks.ts).
      scheduler: [
        "lib/report/digest.ts", "lib/report/digest-document.ts", "lib/store/reports.ts", "lib/store/dynamo.ts", "lib/store/batch-items.ts",
        "lib/store/due-index.ts", "lib/store/digests.ts", "lib/store/account-guard.ts", ...EMAIL_CAPS,
      ],
      worker: [...EMAIL_CAPS],
    };
    for (const name of FUNCTION_NAMES) {
      const bundle = bundles[name] as Bundle;
      const atStart = modulesIn(loadedAtStart(bundle), bundle);
      const onDemand = modulesIn(loadedOnDemand(bundle), bundle);
      for (const module of onDemandOnly[name]) {
        expect(atStart.has(module), `${name}: ${module} at start`).toBe(false);
        expect(onDemand.has(module), `${name}: ${module} on demand`).toBe(true);
      }
      // What the entry shares with its import() targets is in one chunk (infra/bundle.ts), not a file per set of users.
      expect(loadedAtStart(bundle).length, `${name}: files loaded at start`).toBeLessThanOrEqual(4);
    }
  });

  it("load at start none of what only some invocations use in every function: Powertools Metrics (the first count), Logger where most invocations log nothing, the local outbox and key file's vault, the POS readers' validation in place; no Powertools Parameters at all", () => {
    for (const name of FUNCTION_NAMES) {
      const bundle = bundles[name] as Bundle;
      const atStart = packagesAtStart(bundle);
      expect(atStart.has("@aws-lambda-powertools/metrics"), `${name}: Powertools Metrics at start`).toBe(false);
      expect(loadedOnDemand(bundle).some((file) => file.packages.some((pkg) => pkg.name === "@aws-lambda-powertools/metrics")), `${name}: Powertools Metrics on demand`).toBe(true);
      // The secrets are one GetParameters call on the SDK's SSM client (lib/secrets/ssm.ts).
      expect(bundle.files.some((file) => file.packages.some((pkg) => pkg.name === "@aws-lambda-powertools/parameters")), `${name}: Powertools Parameters`).toBe(false);
      const inputsAtStart = new Set(loadedAtStart(bundle).flatMap((file) => Object.entries(bundle.metafile.outputs)
        .filter(([output]) => join(process.cwd(), output) === join(bundle.outdir, file.path))
        .flatMap(([, meta]) => Object.entries(meta.inputs).filter(([, { bytesInOutput }]) => bytesInOutput > 0).map(([input]) => input))));
      expect(inputsAtStart.has("lib/email/outbox.ts"), `${name}: the local outbox at start`).toBe(false);
      expect(inputsAtStart.has("lib/vault/local.ts"), `${name}: the local key file's vault at start`).toBe(false);
      // The bundler puts what a module holds wherever the module loads, whoever uses it: the in-place checker is a module of its own.
      expect(inputsAtStart.has("lib/check-in-place.ts"), `${name}: validation in place at start`).toBe(false);
      expect(inputsAtStart.has("lib/validation.ts"), `${name}: zod's English messages at start`).toBe(true);
      // Powertools Logger: a page view, a night that posted and a tick that found nothing due log nothing (lib/wiring/logger.ts).
      expect(atStart.has("@aws-lambda-powertools/logger"), `${name}: Powertools Logger at start`).toBe(false);
      expect(loadedOnDemand(bundle).some((file) => file.packages.some((pkg) => pkg.name === "@aws-lambda-powertools/logger")), `${name}: Powertools Logger on demand`).toBe(true);
    }
  });

  it("load what only some jobs need on the jobs that need it: one POS's reader and summariser, payouts, the emails a job sends, the stores of other paths; the api's job queue and the providers' clients on the paths that use them", () => {
    const modulesOf = (files: { path: string }[], bundle: Bundle) => {
      const paths = new Set(files.map((file) => join(bundle.outdir, file.path)));
      return new Set(Object.entries(bundle.metafile.outputs).filter(([output]) => paths.has(join(process.cwd(), output)))
        .flatMap(([, meta]) => Object.entries(meta.inputs).filter(([, { bytesInOutput }]) => bytesInOutput > 0).map(([input]) => input.replace(/^[\w-]+:/, "").replace(`${process.cwd()}/`, ""))));
    };
    const onDemandOnly: Partial<Record<FunctionName, string[]>> = {
      worker: [
        // A job reads one POS (lib/wiring/provider-apis.ts).
        "lib/pos/square/summarise.ts", "lib/pos/square/night.ts", "lib/pos/square/client.ts", "lib/pos/clover/summarise.ts", "lib/pos/clover/night.ts", "lib/pos/clover/client.ts",
        // Payouts: Square locations with a payouts mapping (lib/worker/night-payouts.ts).
        "lib/payouts/post-payouts.ts", "lib/payouts/payout-entry.ts", "lib/pos/square/payouts.ts",
        // The card clearing carry's figures (the digest's Deposits section, the payouts' store) and its store's schemas: the
        // sync record's store asks only whether a write marks the carry stale (lib/payouts/carry-window.ts), and marks it
        // with lib/store/carry-stamp.ts, for an old day alone.
        "lib/payouts/clearing-carry.ts", "lib/payouts/tie-out.ts", "lib/payouts/payout-summary.ts", "lib/payouts/payout.ts", "lib/store/clearing-carries.ts",
        // The emails a job sends itself: an alert, a backfill's summary (lib/worker/job-emails.ts); a location stopped.
        "lib/worker/job-emails.ts", "lib/report/digest.ts", "lib/report/digest-document.ts", "lib/report/email-document.ts", "lib/report/sync-report.ts", "lib/locations/posting-status.ts",
        // Stores no night job uses (lib/wiring/worker.ts's jobStores), and the members' store but the list of a business's
        // accountants every night reads (lib/store/member-list.ts): their client lists' updates, for a business that has some.
        "lib/store/auth.ts", "lib/store/members.ts", "lib/store/backfills.ts", "lib/store/recipients.ts", "lib/store/payouts.ts", "lib/store/due-index.ts", "lib/store/api-keys.ts",
        // The Store's methods a night does not call (lib/store/night-store.ts has those it does): sign-up, export, account
        // deletion, the sweep's listings; and the transaction that marks a card clearing carry stale (an old day's record).
        "lib/store/dynamo.ts", "lib/store/merchant-export.ts", "lib/store/account-sweep.ts", "lib/store/batch-items.ts", "lib/store/carry-stamp.ts", "lib/store/transact-write.ts",
        // Square's and Clover's token calls (a refresh of their tokens, a connect): the providers' policy alone at start.
        "lib/oauth/square-tokens.ts", "lib/oauth/clover-tokens.ts",
        // A stored report read back and checked: a night job writes its report and reads none (an alert and a backfill's summary do).
        "lib/store/report-items.ts",
        // QuickBooks' answers a night's posting does not read: the chart of accounts (a refusal naming an account), the company's
        // settings (kept on the connection), its tracking lists (the location page), and fault bodies (a refused or failed call).
        "lib/quickbooks/chart-of-accounts.ts", "lib/quickbooks/company-settings.ts", "lib/quickbooks/tracking.ts", "lib/quickbooks/faults.ts",
        // A failed QuickBooks token call's error, read.
        "lib/quickbooks/oauth-failures.ts",
        // A refusal of the entry explained (an account or the Location or Class gone).
        "lib/sync/refusals.ts",
        // The refresh sweep: its own invocations, every 6 hours (functions/worker.ts).
        "lib/connections/refresh-sweep.ts",
      ],
      // Sending jobs (approvals, backfills); the POS and QuickBooks clients (the pages that read them: the OAuth providers need neither).
      api: ["lib/schedule/enqueue.ts", "lib/pos/clover/client.ts", "lib/quickbooks/client.ts"],
    };
    for (const [name, modules] of Object.entries(onDemandOnly) as [FunctionName, string[]][]) {
      const bundle = bundles[name] as Bundle;
      const atStart = modulesOf(loadedAtStart(bundle), bundle);
      const onDemand = modulesOf(loadedOnDemand(bundle), bundle);
      for (const module of modules) {
        expect(atStart.has(module), `${name}: ${module} at start`).toBe(false);
        expect(onDemand.has(module), `${name}: ${module} on demand`).toBe(true);
      }
    }
    // A Square job loads nothing of Clover's reading and summarising, and a Clover job nothing of Square's
    // (beyond what every job loads at start: the hosts and error classes the OAuth providers share).
    const worker = bundles.worker as Bundle;
    const workerAtStart = modulesOf(loadedAtStart(worker), worker);
    // What every night calls of the stores is made at start: the night's Store methods and the business's accountants.
    for (const module of ["lib/store/night-store.ts", "lib/store/member-list.ts"]) expect(workerAtStart.has(module), `worker: ${module} at start`).toBe(true);
    const loadedWith = (module: string) => {
      const chunk = worker.files.find((file) => !file.entry && modulesOf([file], worker).has(module));
      expect(chunk, `a chunk with ${module}`).toBeDefined();
      return [...modulesOf(withStaticImports(worker, [chunk?.path ?? ""]), worker)].filter((module) => !workerAtStart.has(module));
    };
    expect(loadedWith("lib/pos/square/summarise.ts").filter((module) => module.startsWith("lib/pos/clover/"))).toEqual([]);
    expect(loadedWith("lib/pos/clover/summarise.ts").filter((module) => module.startsWith("lib/pos/square/"))).toEqual([]);
  });

  it("load a package's modules that only on-demand paths use on those paths, though the start reaches them through the package's index: SES's REST protocol in SES's chunk", () => {
    // The AWS SDK's protocols index, which the start's DynamoDB, SSM and SQS clients import their JSON protocols
    // from, reaches the REST protocol; only SES (on demand in the api and the scheduler) uses it (infra/bundle.ts).
    const restProtocol = ["@smithy/core/dist-es/submodules/protocols/HttpBindingProtocol.js", "@aws-sdk/core/dist-es/submodules/protocols/json/AwsRestJsonProtocol.js"];
    const inputsOf = (bundle: Bundle, files: { path: string }[]) => {
      const paths = new Set(files.map((file) => join(bundle.outdir, file.path)));
      return Object.entries(bundle.metafile.outputs).filter(([output]) => paths.has(join(process.cwd(), output)))
        .flatMap(([, meta]) => Object.entries(meta.inputs).filter(([, { bytesInOutput }]) => bytesInOutput > 0).map(([input]) => input));
    };
    for (const name of ["api", "scheduler"] as const) {
      const bundle = bundles[name] as Bundle;
      const atStart = inputsOf(bundle, loadedAtStart(bundle));
      const ses = bundle.files.filter((file) => !file.entry && file.packages.some((pkg) => pkg.name === "@aws-sdk/client-sesv2"));
      expect(ses, `${name}: SES's chunk`).toHaveLength(1);
      const withSes = inputsOf(bundle, withStaticImports(bundle, ses.map((file) => file.path)));
      for (const module of restProtocol) {
        expect(atStart.filter((input) => input.endsWith(module)), `${name}: ${module} at start`).toEqual([]);
        expect(withSes.filter((input) => input.endsWith(module)), `${name}: ${module} with SES`).toHaveLength(1);
      }
      // Each module once: the start's copy of a module moved out is used by nothing.
      const everywhere = Object.values(bundle.metafile.outputs).flatMap((meta) => Object.entries(meta.inputs).filter(([, { bytesInOutput }]) => bytesInOutput > 0).map(([input]) => input));
      const byFile = new Map<string, number>();
      for (const input of everywhere) {
        const file = resolve(process.cwd(), input.replace(/^[\w-]+:/, ""));
        byFile.set(file, (byFile.get(file) ?? 0) + 1);
      }
      expect([...byFile].filter(([, count]) => count > 1).map(([file]) => file), `${name}: modules in the bundle twice`).toEqual([]);
    }
  });

  it("load the worker's start from its entry's static imports alone: no file through import() while the module loads", () => {
    // Imported as Lambda does, with the bench's harmless settings (bench/bundles.ts): every file the
    // import loads, through Node's module hooks. An import() at start is a file read, compiled and linked
    // for code the start chunk may hold already (the OAuth parts did, behind composeServices's import()).
    const worker = bundles.worker as Bundle;
    const loader = `import { registerHooks } from "node:module";
const loaded = [];
registerHooks({ load(url, context, next) { if (url.startsWith("file:")) loaded.push(url); return next(url, context); } });
await import(process.argv[1]);
process.stdout.write(JSON.stringify(loaded));
process.exit(0);`;
    const child = spawnSync(process.execPath, ["--input-type=module", "-e", loader, pathToFileURL(join(worker.outdir, worker.entry)).href], {
      env: { PATH: process.env["PATH"] ?? "", ...FUNCTION_ENV.worker }, encoding: "utf8", timeout: 60_000,
    });
    expect(child.status, child.stderr.slice(-1000)).toBe(0);
    const loaded = (JSON.parse(child.stdout) as string[]).map((url) => relative(worker.outdir, fileURLToPath(url))).sort();
    expect(loaded).toEqual(loadedAtStart(worker).map((file) => file.path).sort());
  });

  it("load at the api's start what every request reads (its session, the profiles) and no other store method, record schema, OAuth provider or page", () => {
    const api = bundles.api as Bundle;
    const modulesOf = (files: { path: string }[]) => {
      const paths = new Set(files.map((file) => join(api.outdir, file.path)));
      return new Set(Object.entries(api.metafile.outputs).filter(([output]) => paths.has(join(process.cwd(), output)))
        .flatMap(([, meta]) => Object.entries(meta.inputs).filter(([, { bytesInOutput }]) => bytesInOutput > 0).map(([input]) => input.replace(/^[\w-]+:/, "").replace(`${process.cwd()}/`, ""))));
    };
    const atStart = modulesOf(loadedAtStart(api));
    const onDemand = modulesOf(loadedOnDemand(api));
    // Every signed-in request: its session and the profiles of the person and the business (lib/wiring/api.ts sessionStores).
    for (const module of ["lib/store/sessions.ts", "lib/store/merchant-profile.ts", "lib/oauth/consent-origins.ts"]) expect(atStart.has(module), `${module} at start`).toBe(true);
    const onDemandOnly = [
      // The Store's and the AuthStore's other methods and the records' schemas they check; an accountant's access.
      "lib/store/auth.ts", "lib/store/dynamo.ts", "lib/store/schemas.ts", "lib/store/sync-records.ts", "lib/store/merchant-export.ts", "lib/store/reports.ts", "lib/store/members.ts",
      // What the table's layout reached: the due-index's code and the business-day arithmetic.
      "lib/schedule/due-index.ts", "lib/domain/business-day.ts",
      // The OAuth providers and the token keeper: connecting, disconnecting, webhooks, the pages that read a provider (the CSP reads plain data).
      "lib/wiring/providers.ts", "lib/oauth/square.ts", "lib/oauth/clover.ts", "lib/oauth/quickbooks.ts", "lib/quickbooks/oauth.ts", "lib/oauth/token-keeper.ts",
      // The pages: a section's with its routes; the layout and the refusals the app answers with itself
      // (not found, not allowed, sign in again) with the first request that renders one.
      "lib/web/pages/access.tsx", "lib/web/pages/layout.tsx", "lib/web/pages/messages.tsx",
    ];
    for (const module of onDemandOnly) {
      expect(atStart.has(module), `${module} at start`).toBe(false);
      expect(onDemand.has(module), `${module} on demand`).toBe(true);
    }
    // hono's JSX renderer loads with the pages: a webhook, an API call or a redirect renders none.
    expect([...atStart].filter((input) => input.includes("/hono/dist/jsx/"))).toEqual([]);
  });

  it("load at start only the AWS clients every invocation uses; the others from chunks, on the paths that use them (lib/wiring/lazy.ts)", () => {
    const clients = ["@aws-sdk/client-dynamodb", "@aws-sdk/client-kms", "@aws-sdk/client-sesv2", "@aws-sdk/client-sqs", "@aws-sdk/client-ssm"];
    // Every invocation: the table (sessions, records) and the secrets read at cold start (SSM); the
    // worker's every job opens tokens (KMS), the scheduler's every tick sends jobs (SQS).
    const everyInvocation: Record<FunctionName, string[]> = {
      api: ["@aws-sdk/client-dynamodb", "@aws-sdk/client-ssm"],
      worker: ["@aws-sdk/client-dynamodb", "@aws-sdk/client-kms", "@aws-sdk/client-ssm"],
      scheduler: ["@aws-sdk/client-dynamodb", "@aws-sdk/client-sqs", "@aws-sdk/client-ssm"],
    };
    const lazyOnes: Record<FunctionName, string[]> = {
      // Sealing tokens (connect, refresh), email (sign-in, invitations, notices), queueing (approve, backfill).
      api: ["@aws-sdk/client-kms", "@aws-sdk/client-sesv2", "@aws-sdk/client-sqs"],
      // A failed job's visibility change; an alert (a failed or held day, a backfill's summary): a night that posted emails nobody.
      worker: ["@aws-sdk/client-sqs", "@aws-sdk/client-sesv2"],
      // The morning digests, due on few ticks.
      scheduler: ["@aws-sdk/client-sesv2"],
    };
    for (const name of FUNCTION_NAMES) {
      const bundle = bundles[name] as Bundle;
      const atStart = packagesAtStart(bundle);
      expect(clients.filter((client) => atStart.has(client)).sort(), `${name}: AWS clients at start`).toEqual([...everyInvocation[name]].sort());
      const onDemand = new Set(loadedOnDemand(bundle).map((file) => file.path));
      for (const client of lazyOnes[name]) {
        const chunk = bundle.files.find((file) => !file.entry && onDemand.has(file.path) && file.packages.some((pkg) => pkg.name === client));
        expect(chunk, `${name}: ${client} in a chunk loaded on demand`).toBeDefined();
      }
    }
  });
});
