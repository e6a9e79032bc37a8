import type { BuildStateChangeEvent } from "./buildEvent";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
/** `May 14, 2024 9:18:02 AM`: how the event writes `build-start-time`, in UTC. */
const CONSOLE_TIME = /^([A-Z][a-z]{2}) (\d{1,2}), (\d{4}) (\d{1,2}):(\d{2}):(\d{2}) ([AP]M)$/;

/**
 * When the build started (epoch ms), from its event's `build-start-time`; undefined when the event has
 * none or writes it in another form. CodeBuild sets it when the build is started, as it numbers the build.
 */
export function buildStartedAt(event: BuildStateChangeEvent): number | undefined {
  const written = event.detail?.["additional-information"]?.["build-start-time"];
  const parts = CONSOLE_TIME.exec(written?.trim() ?? "");
  if (!parts) return undefined;
  const [, month, day, year, hour, minute, second, half] = parts;
  const monthIndex = MONTHS.indexOf(month);
  if (monthIndex < 0 || Number(hour) < 1 || Number(hour) > 12) return undefined;
  const hours = (Number(hour) % 12) + (half === "PM" ? 12 : 0);
  return Date.UTC(Number(year), monthIndex, Number(day), hours, Number(minute), Number(second));
}
