/**
 * The embedded default used when no config file is given: the built-in `mock` provider, which
 * needs no key and no network, so the quick start works offline.
 */
export const DEFAULT_CONFIG = {
  providers: {
    mock: { type: "mock", models: ["echo"] },
  },
  models: {
    default: "mock/echo",
  },
} as const;
