/**
 * The SQS commands daybook sends, for the import() of the paths that send them (enqueue.ts's batches,
 * lib/worker/handler.ts's visibility change after a failed job), so a Lambda loads SQS only when it
 * sends. Named re-exports: an import() of the SDK's package itself would keep every command in it.
 */
export { ChangeMessageVisibilityCommand, SendMessageBatchCommand } from "@aws-sdk/client-sqs";
