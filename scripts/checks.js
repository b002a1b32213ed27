// The checker scripts' runner: check() runs one check and prints "ok     <title>" or
// "FAILED <title>" with the reasons under it; finish() prints the last line,
// "<name>: N passed, N failed", which .ci/run reads for its counts, and exits 1 unless every
// check passed (and there was at least one).

let passed = 0;
let failed = 0;

/**
 * A check fails when it returns problems (each shown as "- problem") or throws (the first line
 * of the error is shown).
 * @param {string} title
 * @param {() => string[] | void | Promise<string[] | void>} fn
 */
export async function check(title, fn) {
  /** @type {string[]} */
  let reasons;
  try {
    reasons = ((await fn()) ?? []).map((problem) => `- ${problem}`);
  } catch (error) {
    reasons = [error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error)];
  }
  if (reasons.length === 0) {
    passed += 1;
    console.log(`ok     ${title}`);
  } else {
    failed += 1;
    console.log(`FAILED ${title}\n${reasons.map((reason) => `       ${reason}`).join("\n")}`);
  }
}

/**
 * Prints the summary line and exits.
 * @param {string} name what was checked, e.g. "examples"
 * @param {string} [note] appended to the line
 * @returns {never}
 */
export function finish(name, note) {
  console.log(`${name}: ${passed} passed, ${failed} failed${note ? ` ${note}` : ""}`);
  process.exit(failed === 0 && passed > 0 ? 0 : 1);
}
