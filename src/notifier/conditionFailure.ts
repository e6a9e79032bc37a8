/** Whether a DynamoDB write was refused by its condition expression, rather than failing. */
export function isConditionFailure(error: unknown): boolean {
  return (error as { name?: string }).name === "ConditionalCheckFailedException";
}

/** Makes a conditional write: false when its condition refused it, rejecting on any other failure. */
export async function writeIfAllowed(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}
