import { RunError } from "@pulumi/pulumi/errors";
import { fullConfigKey, setCommand } from "../src/receivers/configKeys";

// The alarms' evaluation period, apart from the alarms themselves: `npm run check` reads the setting
// without loading the AWS provider.

const PERIODS_KEY = "receiverFailureAlarmPeriods";
/** Five minutes, as the stack's other alarms. */
export const PERIOD_SECONDS = 300;
/** CloudWatch looks back a day at most: periods × period must stay within 86,400 seconds. */
const MAX_PERIODS = 86_400 / PERIOD_SECONDS;

/** The stack's `receiverFailureAlarmPeriods`, checked before any resource is registered. */
export function checkedAlarmPeriods(periods: number): number {
  if (Number.isInteger(periods) && periods >= 1 && periods <= MAX_PERIODS) return periods;
  throw new RunError(
    `${fullConfigKey(PERIODS_KEY)} ${periods} is not a number of 5-minute periods CloudWatch can evaluate: ` +
      `use a whole number from 1 to ${MAX_PERIODS} (a day).\nSet it with: ${setCommand(PERIODS_KEY, "1", false)}`,
  );
}
