/**
 * What the first message to SQS loads (lib/wiring/aws.ts's lazySqsClient): SQS's client. A named
 * re-export, so the bundler keeps only it of the SDK's package; an import() of the package itself
 * would keep every command in it.
 */
export { SQSClient } from "@aws-sdk/client-sqs";
