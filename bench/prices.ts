/**
 * AWS us-east-1 list prices the cost model uses, each with where it was read and when. Read on
 * 2026-11-23 from stored copies of the pages named (the official page where one was found, else a
 * dated secondary page that quotes it). Free tiers are left out: the model prices the marginal merchant.
 * Check them against https://aws.amazon.com/pricing before quoting a figure to anyone.
 */
export interface Price {
  usd: number;
  per: string;
  source: string;
  read: string;
}

const READ = "2026-11-23";

export const PRICES = {
  lambdaRequest: {
    usd: 0.2 / 1e6, per: "request",
    source: "https://aws.amazon.com/lambda/pricing/ ($0.20 per 1M requests; also https://cloudchipr.com/blog/aws-lambda-pricing)", read: READ,
  },
  lambdaArmGbSecond: {
    usd: 0.0000133334, per: "GB-second, arm64, first 7.5 billion GB-s a month",
    source: "https://aws.amazon.com/lambda/pricing/ (Arm price, US East N. Virginia; quoted by https://cloudchipr.com/blog/aws-lambda-pricing)", read: READ,
  },
  sqsFifoRequest: {
    usd: 0.5 / 1e6, per: "FIFO request (each 64 KB chunk)",
    source: "https://aws.amazon.com/sqs/pricing/ ($0.50 per 1M FIFO requests; https://cloudburn.io/blog/amazon-sqs-pricing, March 2026; https://aws.amazon.com/about-aws/whats-new/2016/11/amazon-sqs-introduces-fifo-queues-with-exactly-once-processing-and-lower-prices-for-standard-queues/)", read: READ,
  },
  dynamoWriteRequestUnit: {
    usd: 0.625 / 1e6, per: "on-demand write request unit (1 KB)",
    source: "https://aws.amazon.com/dynamodb/pricing/on-demand/ ($0.625 per 1M WRU since the November 2024 cut; quoted by https://airbyte.com/data-engineering-resources/dynamodb-pricing)", read: READ,
  },
  dynamoReadRequestUnit: {
    usd: 0.125 / 1e6, per: "on-demand read request unit (4 KB strongly consistent)",
    source: "https://aws.amazon.com/dynamodb/pricing/on-demand/ ($0.125 per 1M RRU; quoted by https://airbyte.com/data-engineering-resources/dynamodb-pricing)", read: READ,
  },
  kmsRequest: {
    usd: 0.03 / 10_000, per: "symmetric KMS request (Encrypt, Decrypt)",
    source: "https://aws.amazon.com/kms/pricing/ ($0.03 per 10,000 requests; https://www.wring.co/blog/aws-kms-pricing-guide)", read: READ,
  },
  kmsKeyMonth: {
    usd: 1, per: "customer managed key-month",
    source: "https://aws.amazon.com/kms/pricing/ ($1/month per key)", read: READ,
  },
  sesEmail: {
    usd: 0.1 / 1000, per: "outbound email, per recipient (a message to three people is three)",
    source: "https://aws.amazon.com/ses/pricing/ ($0.10 per 1,000 emails; https://www.acecloudinterviews.com/tutorials/aws/ses/)", read: READ,
  },
  schedulerInvocation: {
    usd: 1 / 1e6, per: "EventBridge Scheduler invocation (after 14M free a month)",
    source: "https://aws.amazon.com/eventbridge/pricing/ ($1.00 per 1M invocations, 14M free; https://cloudburn.io/blog/amazon-eventbridge-pricing, March 2026)", read: READ,
  },
  logsIngestGb: {
    usd: 0.5, per: "GB ingested, CloudWatch Logs standard class",
    source: "https://aws.amazon.com/cloudwatch/pricing/ ($0.50/GB ingestion; https://c3x.dev/blog/cloudwatch-logs-cost-optimization, June 2026)", read: READ,
  },
  logsStoreGbMonth: {
    usd: 0.03, per: "GB-month stored, CloudWatch Logs",
    source: "https://aws.amazon.com/cloudwatch/pricing/ ($0.03/GB-month; https://c3x.dev/blog/cloudwatch-logs-cost-optimization)", read: READ,
  },
  cloudwatchAlarm: {
    usd: 0.1, per: "standard-resolution alarm-month",
    source: "https://aws.amazon.com/cloudwatch/pricing/ ($0.10 per alarm metric-month, standard resolution; quoted by https://c3x.dev/resources/aws/aws_cloudwatch_metric_alarm)", read: "2026-12-06",
  },
  customMetric: {
    usd: 0.3, per: "custom metric-month (first 10,000)",
    source: "https://aws.amazon.com/cloudwatch/pricing/ ($0.30 per metric-month for the first 10,000; https://www.vantage.sh/blog/cloudwatch-metrics-pricing-explained-in-plain-english)", read: "2026-12-06",
  },
  dynamoStorageGbMonth: {
    usd: 0.25, per: "GB-month stored, DynamoDB Standard table class",
    source: "https://aws.amazon.com/dynamodb/pricing/on-demand/ (data storage $0.25 per GB-month after the first 25 GB)", read: "2026-12-06",
  },
  dynamoBackupGbMonth: {
    usd: 0.2, per: "GB-month of continuous backups (point-in-time recovery)",
    source: "https://aws.amazon.com/dynamodb/pricing/on-demand/ (continuous backups (PITR) $0.20 per GB-month)", read: "2026-12-06",
  },
} as const satisfies Record<string, Price>;

export type PriceName = keyof typeof PRICES;
export type PriceTable = Record<PriceName, number>;

export const PRICE_TABLE: PriceTable = Object.fromEntries(
  Object.entries(PRICES).map(([name, price]) => [name, price.usd]),
) as PriceTable;
