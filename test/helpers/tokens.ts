/** The tokens the test Worker is configured with (vitest.config.ts). */
export const TEST_TOKENS = {
  write: "test-write-token",
  rotated: "test-rotated-write-token",
  read: "test-read-token",
} as const;
