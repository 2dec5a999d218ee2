/**
 * daybook on AWS, in one stack: the table, the token key, the three functions (api, scheduler,
 * worker), the FIFO job queue and its DLQ, the SES configuration set, and alarms to an SNS topic.
 * Environment-agnostic and without lookups, so `cdk synth` runs offline with no AWS account.
 *
 * Each function gets its own role with only what its code calls; the token key's policy names the
 * two roles that seal and open OAuth tokens and nobody else, and only under the encryption context
 * lib/vault/kms.ts uses.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { AssetHashType, CfnOutput, DockerImage, Duration, RemovalPolicy, Stack, type StackProps, Validations } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as iam from "aws-cdk-lib/aws-iam";
import * as kms from "aws-cdk-lib/aws-kms";
import * as lambda from "aws-cdk-lib/aws-lambda";
import { SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import * as logs from "aws-cdk-lib/aws-logs";
import * as scheduler from "aws-cdk-lib/aws-scheduler";
import * as schedulerTargets from "aws-cdk-lib/aws-scheduler-targets";
import * as ses from "aws-cdk-lib/aws-ses";
import * as sns from "aws-cdk-lib/aws-sns";
import * as subscriptions from "aws-cdk-lib/aws-sns-subscriptions";
import * as sqs from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import { bundleFunction, type FunctionName } from "./bundle";
import { DEFAULT_FLEET, type Fleet, FUNCTION_MEMORY_MB, WORKER_TIMEOUT_MINUTES, workerConcurrencyFor } from "./capacity";
import { REFRESH_SWEEP_EVENT } from "../lib/connections/refresh-sweep";
import { METRIC_NAMES, METRICS_NAMESPACE, SERVICE_NAMES } from "../lib/metrics-names";
import type { ProviderName } from "../lib/model";
import { DEFAULT_SECRET_PREFIX, parameterVariable, type SecretVariable, secretParameterName } from "../lib/secrets/ssm";
import { TABLE, TABLE_ACCESS } from "../lib/store/table";

const PROJECT_ROOT = join(fileURLToPath(import.meta.url), "..", "..");

/** The newest Node.js runtime aws-cdk-lib 2.276 offers, and Lambda's current one. */
export const RUNTIME = lambda.Runtime.NODEJS_24_X;

/** Redrive after this many receives: the worker's last attempt marks the day failed (DAYBOOK_MAX_ATTEMPTS). */
export const MAX_RECEIVE_COUNT = 5;

/** What the store, the due-index and Powertools Idempotency call (TransactWrite needs the actions it contains). */
const TABLE_DATA_ACTIONS = ["GetItem", "BatchGetItem", "Query", "PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "ConditionCheckItem"];

const LOG_RETENTION = logs.RetentionDays.TWO_WEEKS;

const PROVIDERS: readonly ProviderName[] = ["square", "clover", "quickbooks"];

/** The encryption context of the data keys lib/vault/kms.ts seals tokens under: one merchant's. */
export const TOKEN_CONTEXT_KEYS = ["merchantId"] as const;
/** The context tokens were sealed under before (kms1, kms2): opened still, never sealed again. */
export const EARLIER_TOKEN_CONTEXT_KEYS = ["merchantId", "provider", "connectionId"] as const;

/** Who needs which app client secret (lib/secrets/ssm.ts): nothing is readable by a function that does not use it. */
const SECRETS_OF = {
  api: [
    "SQUARE_CLIENT_SECRET", "SQUARE_WEBHOOK_SIGNATURE_KEY", "CLOVER_APP_SECRET", "CLOVER_WEBHOOK_AUTH_CODE",
    // The approve and unsubscribe links in emails land on the web app, which checks their signature.
    "QUICKBOOKS_CLIENT_SECRET", "QUICKBOOKS_WEBHOOK_VERIFIER_TOKEN", "DAYBOOK_LINK_KEY",
  ],
  // The morning digests' unsubscribe and approve links (lib/report/digest.ts).
  scheduler: ["DAYBOOK_LINK_KEY"],
  // The worker refreshes every provider's tokens ahead of expiry.
  worker: ["SQUARE_CLIENT_SECRET", "CLOVER_APP_SECRET", "QUICKBOOKS_CLIENT_SECRET", "DAYBOOK_LINK_KEY"],
} as const satisfies Record<string, readonly SecretVariable[]>;

export interface DaybookStackProps extends StackProps {
  /** The origin merchants use (no trailing slash): links in emails and OAuth redirect URIs. */
  publicUrl: string;
  /** The SES sender, e.g. "daybook <no-reply@daybook.example>"; its domain becomes the SES identity. */
  emailFrom: string;
  /** The OAuth client ids (not secret). */
  clientIds: { square: string; clover: string; quickbooks: string };
  quickBooksEnvironment: "sandbox" | "production";
  /** Where the SecureString parameters live; DEFAULT_SECRET_PREFIX unless set. */
  secretPrefix?: string;
  /** Subscribed to the alarm topic when given. */
  alarmEmail?: string;
  /** What the worker's concurrency is sized for (infra/capacity.ts); DEFAULT_FLEET unless set. */
  fleet?: Fleet;
}

export class DaybookStack extends Stack {
  readonly table: dynamodb.Table;
  readonly tokenKey: kms.Key;
  readonly functions: Record<"api" | "scheduler" | "worker", lambda.Function>;
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly alarmTopic: sns.Topic;

  constructor(scope: Construct, id: string, props: DaybookStackProps) {
    super(scope, id, props);
    const secretPrefix = props.secretPrefix ?? DEFAULT_SECRET_PREFIX;

    // --- Storage -------------------------------------------------------------------------------
    const tableKey = new kms.Key(this, "TableKey", {
      description: "daybook: encrypts the DynamoDB table at rest",
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.table = new dynamodb.Table(this, "Table", {
      partitionKey: attribute(TABLE.partitionKey),
      sortKey: attribute(TABLE.sortKey),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      // Deleted items stay restorable this long: under the 30 days within which deletion is promised.
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true, recoveryPeriodInDays: TABLE.pointInTimeRecoveryDays },
      timeToLiveAttribute: TABLE.timeToLiveAttribute,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: tableKey,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of TABLE.globalIndexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: attribute(index.partitionKey),
        sortKey: attribute(index.sortKey),
        projectionType: dynamodb.ProjectionType[index.projection],
      });
    }

    // --- Jobs: one FIFO message per location-day, grouped by QuickBooks company (lib/schedule/job.ts)
    const workerTimeout = Duration.minutes(WORKER_TIMEOUT_MINUTES);
    this.deadLetterQueue = new sqs.Queue(this, "JobsDeadLetters", {
      fifo: true,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      // The worker reads it too (a dead letter reported, below): as the jobs' queue, for the same reason.
      visibilityTimeout: Duration.seconds(workerTimeout.toSeconds() * 6),
    });
    this.queue = new sqs.Queue(this, "Jobs", {
      fifo: true,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Six times the worker's timeout, as Lambda advises for SQS sources: a batch still running is never redelivered.
      visibilityTimeout: Duration.seconds(workerTimeout.toSeconds() * 6),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: MAX_RECEIVE_COUNT },
    });

    // --- Email ---------------------------------------------------------------------------------
    const configurationSet = new ses.ConfigurationSet(this, "EmailConfiguration", {
      reputationMetrics: true,
      suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
      tlsPolicy: ses.ConfigurationSetTlsPolicy.REQUIRE,
    });
    const senderIdentity = new ses.EmailIdentity(this, "SenderDomain", {
      identity: ses.Identity.domain(domainOf(props.emailFrom)),
      configurationSet,
    });
    const configurationSetArn = this.formatArn({ service: "ses", resource: "configuration-set", resourceName: configurationSet.configurationSetName });
    const sendEmail = (role: iam.Role) => {
      role.addToPrincipalPolicy(new iam.PolicyStatement({
        actions: ["ses:SendEmail"],
        resources: [senderIdentity.emailIdentityArn, configurationSetArn],
      }));
    };

    // --- Functions -----------------------------------------------------------------------------
    const secretsFor = (secrets: readonly SecretVariable[]) =>
      Object.fromEntries(secrets.map((variable) => [parameterVariable(variable), secretParameterName(variable, secretPrefix)]));
    const emailSettings = { DAYBOOK_EMAIL_FROM: props.emailFrom, DAYBOOK_SES_CONFIGURATION_SET: configurationSet.configurationSetName };

    const api = this.function("Api", {
      entry: "api", serviceName: SERVICE_NAMES.api, memorySize: FUNCTION_MEMORY_MB.api, timeout: Duration.seconds(29),
      environment: {
        DAYBOOK_PUBLIC_URL: props.publicUrl,
        DAYBOOK_QUEUE_URL: this.queue.queueUrl,
        ...emailSettings,
        SQUARE_CLIENT_ID: props.clientIds.square,
        CLOVER_APP_ID: props.clientIds.clover,
        QUICKBOOKS_CLIENT_ID: props.clientIds.quickbooks,
        QUICKBOOKS_ENVIRONMENT: props.quickBooksEnvironment,
        ...secretsFor(SECRETS_OF.api),
      },
    });
    // 14 minutes: a zone's midnight may be tens of thousands of locations; the tick works until 45 s before
    // the timeout (functions/scheduler.ts) and leaves the rest due, all within its 15-minute interval.
    const schedulerFunction = this.function("Scheduler", {
      entry: "scheduler", serviceName: SERVICE_NAMES.scheduler, memorySize: FUNCTION_MEMORY_MB.scheduler, timeout: Duration.minutes(14),
      environment: { DAYBOOK_QUEUE_URL: this.queue.queueUrl, DAYBOOK_PUBLIC_URL: props.publicUrl, ...emailSettings, ...secretsFor(SECRETS_OF.scheduler) },
    });
    const worker = this.function("Worker", {
      // 256 MB (infra/capacity.ts): a night's pages are validated where they lie and summarised page by page,
      // so the heap stays flat in the number of orders (bench: a 100k-order day of each POS within it).
      entry: "worker", serviceName: SERVICE_NAMES.worker, memorySize: FUNCTION_MEMORY_MB.worker, timeout: workerTimeout,
      environment: {
        DAYBOOK_PUBLIC_URL: props.publicUrl,
        DAYBOOK_QUEUE_URL: this.queue.queueUrl,
        DAYBOOK_MAX_ATTEMPTS: String(MAX_RECEIVE_COUNT),
        DAYBOOK_DEAD_LETTERS_ARN: this.deadLetterQueue.queueArn,
        ...emailSettings,
        SQUARE_CLIENT_ID: props.clientIds.square,
        CLOVER_APP_ID: props.clientIds.clover,
        QUICKBOOKS_CLIENT_ID: props.clientIds.quickbooks,
        QUICKBOOKS_ENVIRONMENT: props.quickBooksEnvironment,
        ...secretsFor(SECRETS_OF.worker),
      },
    });
    this.functions = { api, scheduler: schedulerFunction, worker };

    // The web app: a function URL, not an HTTP API. One Hono app handles routing, sessions, CSRF and
    // webhook signatures itself, so API Gateway would add a hop, a 30-second cap and cost, and nothing used.
    const apiUrl = api.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE });

    // Every 15 minutes the scheduler enqueues the location-days now due. A missed tick is not retried:
    // the next one, 15 minutes later, finds the same days still due.
    new scheduler.Schedule(this, "Every15Minutes", {
      description: "daybook: enqueue the location-days now due",
      schedule: scheduler.ScheduleExpression.rate(Duration.minutes(15)),
      target: new schedulerTargets.LambdaInvoke(schedulerFunction, { retryAttempts: 0, maxEventAge: Duration.minutes(10) }),
    });

    // Every 6 hours the worker sweeps the connections: refresh tokens near their end are refreshed,
    // those no location uses included, and refreshes a crash left half-done are mended well inside
    // QuickBooks' 24 hours (lib/connections/refresh-sweep.ts). A missed run is not retried: the next finds the same.
    new scheduler.Schedule(this, "RefreshSweepEvery6Hours", {
      description: "daybook: refresh connections ahead of expiry and mend refreshes left half-done",
      schedule: scheduler.ScheduleExpression.rate(Duration.hours(6)),
      target: new schedulerTargets.LambdaInvoke(worker, {
        input: scheduler.ScheduleTargetInput.fromObject(REFRESH_SWEEP_EVENT), retryAttempts: 0, maxEventAge: Duration.hours(1),
      }),
    });

    worker.addEventSource(new SqsEventSource(this.queue, {
      // 10 is FIFO's maximum. A batch's jobs run one after another: a usual one takes seconds, a stadium's
      // day minutes, and the timeout is sized for that day (infra/capacity.ts WORKER_TIMEOUT_MINUTES).
      batchSize: 5,
      reportBatchItemFailures: true,
      // Sized from the fleet (infra/capacity.ts) so the busiest zone's night ends in time; the message
      // groups still keep one job per QuickBooks company.
      maxConcurrency: workerConcurrencyFor(props.fleet ?? DEFAULT_FLEET),
    }));
    // A job whose attempts all ended without a word (timed out, out of memory): its day is reported failed
    // (lib/worker/dead-letter.ts). One at a time; a dead letter that cannot be reported stays for the alarm.
    worker.addEventSource(new SqsEventSource(this.deadLetterQueue, { batchSize: 1, reportBatchItemFailures: true, maxConcurrency: 2 }));

    // --- Grants: each function only what its code calls -------------------------------------------
    const roleOf = (fn: lambda.Function) => fn.role as iam.Role;
    this.grantTableData(roleOf(api), tableKey, TABLE_ACCESS.api);
    this.grantTableData(roleOf(schedulerFunction), tableKey, TABLE_ACCESS.scheduler);
    this.grantTableData(roleOf(worker), tableKey, TABLE_ACCESS.worker);
    this.queue.grantSendMessages(api); // approve and backfill jobs asked for on the web
    this.queue.grantSendMessages(schedulerFunction);
    // Consuming is granted by the event source; the worker also changes a failed job's visibility (backoff).
    sendEmail(roleOf(api)); // sign-in links, reconnect alerts
    sendEmail(roleOf(worker)); // failure and hold alerts, backfill summaries
    sendEmail(roleOf(schedulerFunction)); // the morning digests
    this.grantSecrets(roleOf(api), SECRETS_OF.api, secretPrefix);
    this.grantSecrets(roleOf(worker), SECRETS_OF.worker, secretPrefix);
    this.grantSecrets(roleOf(schedulerFunction), SECRETS_OF.scheduler, secretPrefix);

    this.tokenKey = this.createTokenKey([roleOf(api), roleOf(worker)]);
    api.addEnvironment("DAYBOOK_KMS_KEY_ID", this.tokenKey.keyArn);
    worker.addEnvironment("DAYBOOK_KMS_KEY_ID", this.tokenKey.keyArn);

    // --- Alarms --------------------------------------------------------------------------------
    // TLS only, and no customer key: alarm messages carry alarm names and states, no merchant data.
    this.alarmTopic = new sns.Topic(this, "Alarms", { displayName: "daybook alarms", enforceSSL: true });
    if (props.alarmEmail) this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    const period = Duration.minutes(5);
    const alarms: [string, string, cloudwatch.IMetric][] = [
      ["DeadLettersWaiting", "A dead-lettered job could not be reported (not a job, or its report failed): it waits in the dead-letter queue; the worker's log says why.",
        this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period, statistic: cloudwatch.Stats.MAXIMUM })],
      ["WorkerErrors", "The worker failed a whole invocation (not one job).", worker.metricErrors({ period, statistic: cloudwatch.Stats.SUM })],
      ["SchedulerErrors", "A scheduler tick failed: no days are being enqueued.", schedulerFunction.metricErrors({ period, statistic: cloudwatch.Stats.SUM })],
      ["FailedDays", "A location-day ended failed after its last attempt.", new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE, metricName: METRIC_NAMES.failedDays, dimensionsMap: { service: SERVICE_NAMES.worker },
        period, statistic: cloudwatch.Stats.SUM,
      })],
    ];
    for (const [alarmId, description, metric] of alarms) {
      const alarm = new cloudwatch.Alarm(this, alarmId, {
        alarmDescription: `daybook: ${description}`,
        metric,
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      alarm.addAlarmAction(new SnsAction(this.alarmTopic));
    }

    new CfnOutput(this, "ApiUrl", { value: apiUrl.url });
    new CfnOutput(this, "TableName", { value: this.table.tableName });
    new CfnOutput(this, "QueueUrl", { value: this.queue.queueUrl });
    new CfnOutput(this, "AlarmTopicArn", { value: this.alarmTopic.topicArn });
    new CfnOutput(this, "SecretParameters", {
      description: "Create these as SSM SecureString parameters before the first request",
      value: [...new Set([...SECRETS_OF.api, ...SECRETS_OF.worker])].map((variable) => secretParameterName(variable, secretPrefix)).join(","),
    });

    this.acknowledgeNagFindings();
  }

  /** A bundled Lambda function (infra/bundle.ts: ESM, code-split) with its own role and its own 14-day log group. */
  private function(id: string, options: {
    entry: FunctionName; serviceName: string; memorySize: number; timeout: Duration; environment: Record<string, string>;
  }): lambda.Function {
    const logGroup = new logs.LogGroup(this, `${id}Logs`, { retention: LOG_RETENTION, removalPolicy: RemovalPolicy.DESTROY });
    // Our own role instead of AWSLambdaBasicExecutionRole: it may write to this log group only.
    const role = new iam.Role(this, `${id}Role`, { assumedBy: new iam.ServicePrincipal("lambda.amazonaws.com") });
    logGroup.grantWrite(role);
    return new lambda.Function(this, id, {
      // Built by our own esbuild call, offline (no Docker): the image is never pulled, since local bundling succeeds.
      code: lambda.Code.fromAsset(join(PROJECT_ROOT, "functions"), {
        assetHashType: AssetHashType.OUTPUT,
        bundling: {
          image: DockerImage.fromRegistry("daybook-bundles-locally"),
          // Part of the bundling cache's key: without it the three functions would share the first one's bundle.
          environment: { DAYBOOK_FUNCTION: options.entry },
          local: { tryBundle: (outputDir) => (bundleFunction(options.entry, outputDir), true) },
        },
      }),
      handler: `${options.entry}.handler`,
      runtime: RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: options.memorySize,
      timeout: options.timeout,
      role,
      logGroup,
      environment: {
        DAYBOOK_TABLE: this.table.tableName,
        POWERTOOLS_SERVICE_NAME: options.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        ...options.environment,
      },
    });
  }

  /**
   * Item reads and writes on the table only in the partitions the function uses (dynamodb:LeadingKeys,
   * lib/store/table.ts's TABLE_ACCESS), queries of only the indexes it uses, no Scan (the scheduler
   * reads a sharded due-index instead, the sweep the connections index), and the table key's use only
   * through DynamoDB: the actions AWS's DynamoDB key policy example lists, under kms:ViaService, so the
   * role cannot call KMS with the key directly.
   */
  private grantTableData(role: iam.Role, tableKey: kms.Key, access: { partitions: readonly string[]; indexes: readonly string[] }): void {
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: TABLE_DATA_ACTIONS.map((action) => `dynamodb:${action}`),
      resources: [this.table.tableArn],
      conditions: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": access.partitions.map((prefix) => `${prefix}*`) } },
    }));
    if (access.indexes.length > 0) {
      role.addToPrincipalPolicy(new iam.PolicyStatement({
        actions: ["dynamodb:Query"],
        resources: access.indexes.map((index) => `${this.table.tableArn}/index/${index}`),
      }));
    }
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*"],
      resources: [tableKey.keyArn],
      conditions: { StringEquals: { "kms:ViaService": `dynamodb.${this.region}.amazonaws.com` } },
    }));
  }

  /** ssm:GetParameters on exactly the parameters this role's function reads (SecureStrings under the AWS-managed aws/ssm key). */
  private grantSecrets(role: iam.Role, secrets: readonly SecretVariable[], prefix: string): void {
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ["ssm:GetParameters", "ssm:GetParameter"],
      resources: secrets.map((variable) => this.formatArn({
        service: "ssm", resource: "parameter", resourceName: secretParameterName(variable, prefix).replace(/^\//, ""),
      })),
    }));
  }

  /**
   * The OAuth token key. Its policy is written out, not CDK's default: the account may administer the
   * key but not use it, so no IAM policy anywhere can grant its use; only the listed roles make and open
   * data keys, and only under a merchant's encryption context; tokens sealed before under the full
   * context (merchant, provider, connection) are opened under it, and nothing new is sealed so.
   */
  private createTokenKey(users: iam.Role[]): kms.Key {
    const policy = new iam.PolicyDocument({
      statements: [
        new iam.PolicyStatement({
          sid: "AccountAdministersButDoesNotUse",
          principals: [new iam.AccountRootPrincipal()],
          actions: [
            "kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias", "kms:Describe*", "kms:List*", "kms:Get*",
            "kms:Enable*", "kms:Disable*", "kms:Put*", "kms:Update*", "kms:Revoke*", "kms:RotateKeyOnDemand",
            "kms:TagResource", "kms:UntagResource", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion",
          ],
          resources: ["*"],
        }),
        new iam.PolicyStatement({
          sid: "FunctionsSealAndOpenTokensUnderTheMerchant",
          principals: users.map((role) => new iam.ArnPrincipal(role.roleArn)),
          // Envelope encryption (lib/vault/kms.ts): a merchant's data key generated under its context, opened under it.
          actions: ["kms:GenerateDataKey", "kms:Decrypt"],
          resources: ["*"],
          conditions: {
            "ForAllValues:StringEquals": { "kms:EncryptionContextKeys": [...TOKEN_CONTEXT_KEYS] },
            // ForAllValues alone would also pass a request with no context; this requires the key, non-empty.
            StringLike: { "kms:EncryptionContext:merchantId": "?*" },
          },
        }),
        new iam.PolicyStatement({
          sid: "FunctionsOpenTokensSealedBefore",
          principals: users.map((role) => new iam.ArnPrincipal(role.roleArn)),
          // kms1 and kms2 ciphertexts (a connection's own context): opened until their next refresh seals them as kms3.
          actions: ["kms:Decrypt"],
          resources: ["*"],
          conditions: {
            "ForAllValues:StringEquals": { "kms:EncryptionContextKeys": [...EARLIER_TOKEN_CONTEXT_KEYS] },
            StringEquals: { "kms:EncryptionContext:provider": [...PROVIDERS] },
            StringLike: { "kms:EncryptionContext:merchantId": "?*", "kms:EncryptionContext:connectionId": "?*" },
          },
        }),
      ],
    });
    return new kms.Key(this, "TokenKey", {
      description: "daybook: encrypts merchants' OAuth tokens (lib/vault/kms.ts)",
      enableKeyRotation: true,
      policy,
      removalPolicy: RemovalPolicy.RETAIN,
      pendingWindow: Duration.days(30),
    });
  }

  /** cdk-nag AwsSolutions findings accepted on purpose, each with its reason. */
  private acknowledgeNagFindings(): void {
    for (const fn of Object.values(this.functions)) {
      const policy = fn.role?.node.tryFindChild("DefaultPolicy");
      if (policy === undefined) continue;
      const findings = {
        "Action::kms:GenerateDataKey*": "DynamoDB's documented key actions on the table's own key, usable only through DynamoDB (kms:ViaService).",
        "Action::kms:ReEncrypt*": "DynamoDB's documented key actions on the table's own key, usable only through DynamoDB (kms:ViaService).",
      };
      for (const [finding, reason] of Object.entries(findings)) {
        Validations.of(policy).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason });
      }
    }
    // EventBridge Scheduler's roles (one per target function): the scheduler's tick, the worker's refresh sweep.
    for (const scheduleRole of this.node.children.filter((child) => child.node.id.startsWith("SchedulerRoleForTarget"))) {
      for (const fn of [this.functions.scheduler, this.functions.worker]) {
        Validations.of(scheduleRole).acknowledge({
          id: `AwsSolutions-IAM5[Resource::<${this.getLogicalId(fn.node.defaultChild as lambda.CfnFunction)}.Arn>:*]`,
          reason: "EventBridge Scheduler's role may invoke its one target function (the scheduler's tick, or the worker's refresh sweep) and its versions, nothing else.",
        });
      }
    }
    Validations.of(this.alarmTopic).acknowledge({
      id: "AwsSolutions-SNS2",
      reason: "Alarm notifications carry only alarm names and states, no merchant data; a customer key would need CloudWatch granted on it for nothing to protect.",
    });
  }
}

function attribute(key: { name: string; type: "S" }): dynamodb.Attribute {
  return { name: key.name, type: dynamodb.AttributeType.STRING };
}

function domainOf(emailFrom: string): string {
  const address = /<([^>]+)>/.exec(emailFrom)?.[1] ?? emailFrom;
  const domain = address.split("@")[1];
  if (domain === undefined || domain === "") throw new Error("emailFrom has no domain: expected \"name <user@domain>\" or \"user@domain\"");
  return domain;
}
