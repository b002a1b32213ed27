/** The Worker's bindings: from wrangler.toml (DB, RATE_LIMITER, [vars]) and secrets (the tokens). */
export type Bindings = {
  DB: D1Database;
  /** Read and write tokens, comma-separated. */
  API_TOKEN?: string;
  /** Read-only tokens, comma-separated. */
  API_READ_TOKEN?: string;
  /** Browser origins allowed to call the API (CORS), comma-separated; empty turns CORS off. */
  ALLOWED_ORIGINS?: string;
  /** Counts requests per token, or per client IP without a valid token. */
  RATE_LIMITER: RateLimit;
  /** RATE_LIMITER's limit and period (seconds), for the 429's headers. */
  RATE_LIMIT: number;
  RATE_LIMIT_PERIOD: number;
};

export type AppEnv = { Bindings: Bindings };
