/** Whether a DynamoDB write was refused by its condition expression, rather than failing. */
export function isConditionFailure(error: unknown): boolean {
  return (error as { name?: string }).name === "ConditionalCheckFailedException";
}
