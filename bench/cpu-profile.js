// CPU-profiles workerd isolates over the DevTools protocol while a load runs, to find where a
// request's CPU goes (docs/performance.md, "Where the CPU goes").
//
//   npm run bench:profile -- <inspector-origin> <out-dir> <seconds> [target-id-substring ...]
//
// <inspector-origin>: workerd's own inspector (http://127.0.0.1:PORT; `ss -ltnp | grep workerd`
// finds it: the port whose /json lists "core:user:<name>"), or wrangler dev's
// --inspector-port (which exposes only the user Worker). Every target whose id contains one of
// the substrings (default: all) is profiled at once, each written to
// <out-dir>/<id>.cpuprofile (Chrome DevTools or speedscope open it).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { devtoolsSession } from "../scripts/devtools.js";

const [origin, out, seconds = "10", ...wanted] = process.argv.slice(2);
if (!origin || !out) {
  console.error(
    "usage: npm run bench:profile -- <inspector-origin> <out-dir> <seconds> [target ...]",
  );
  process.exit(2);
}
const INTERVAL_US = Number(process.env.SAMPLING_US ?? 100);
mkdirSync(out, { recursive: true });
const listed = /** @type {{ id: string; webSocketDebuggerUrl: string }[]} */ (
  await (await fetch(`${origin}/json`)).json()
);
const targets = listed.filter((t) => wanted.length === 0 || wanted.some((w) => t.id.includes(w)));

const sessions = [];
for (const target of targets) {
  const s = devtoolsSession(target.webSocketDebuggerUrl);
  // An isolate that never answers (not started yet) is skipped rather than waited for.
  const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), 3000));
  try {
    await Promise.race([s.opened, timeout]);
    await Promise.race([s.send("Profiler.enable"), timeout]);
    await s.send("Profiler.setSamplingInterval", { interval: INTERVAL_US });
    sessions.push({ id: target.id, s });
  } catch (error) {
    console.error(`skipping ${target.id}: ${error instanceof Error ? error.message : error}`);
    s.close();
  }
}
await Promise.all(sessions.map(({ s }) => s.send("Profiler.start")));
console.error(`profiling ${sessions.map((x) => x.id).join(", ")} for ${seconds} s`);
await new Promise((resolve) => setTimeout(resolve, Number(seconds) * 1000));
for (const { id, s } of sessions) {
  const { profile } = await s.send("Profiler.stop");
  writeFileSync(join(out, `${id.replace(/[^\w.-]/g, "_")}.cpuprofile`), JSON.stringify(profile));
  s.close();
}
console.error(`written to ${out}`);
process.exit(0);
