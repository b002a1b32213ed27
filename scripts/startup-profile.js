// The CPU time in a startup profile from `wrangler check startup`, without the wait before it.
//
// workerd's profiler takes no samples while the isolate is idle, and a sample's time delta is the
// time since the sample before. So the first sample after an idle stretch (the profile opens with
// one: the profiler waits for the request that imports the module) is credited with that whole
// stretch: 13–20 ms on this machine, in some runs and not in others. wrangler's "Active" figure
// counts it; a bare Hono app then reads 0 ms in one run and 17 ms in the next. Here such a sample
// counts for one sampling interval at most, the median gap between back-to-back busy samples.

const IDLE = "(idle)";
/** V8's default sampling interval, for a profile with no two busy samples in a row. */
const DEFAULT_INTERVAL_US = 1000;

/**
 * @typedef {{ id: number; callFrame: { functionName: string } }} ProfileNode
 * @typedef {{ nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }} Profile
 */

/** Busy CPU time in a V8 CPU profile, in ms, each sample after an idle one capped at an interval. */
export function busyMs(/** @type {Profile} */ profile) {
  const names = new Map(profile.nodes.map((node) => [node.id, node.callFrame.functionName]));
  const busy = profile.samples.map((id) => names.get(id) !== IDLE);
  const afterIdle = (/** @type {number} */ i) => i === 0 || !busy[i - 1];
  const back2back = profile.timeDeltas.filter((_, i) => busy[i] && !afterIdle(i));
  const interval =
    back2back.toSorted((a, b) => a - b)[Math.floor(back2back.length / 2)] ?? DEFAULT_INTERVAL_US;
  let micros = 0;
  profile.timeDeltas.forEach((delta, i) => {
    if (busy[i]) micros += afterIdle(i) ? Math.min(delta, interval) : delta;
  });
  return micros / 1000;
}
