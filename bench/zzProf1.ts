import * as fs from "node:fs";
import { buildNotifier } from "./functionsUnderTest";
import { startBenchStand } from "./benchStand";
import { profileWarmEvent } from "./profileEvent";
(async () => {
  const n = Number(process.env.N ?? 1);
  const fn = await buildNotifier(fs.mkdtempSync("/tmp/nc-"), process.env.ARCHIVE);
  const stand = await startBenchStand([n]);
  const s = await profileWarmEvent(fn, stand, { receivers: n, delayMs: 50 });
  console.log(JSON.stringify(s, null, 1));
  await stand.close();
})();
