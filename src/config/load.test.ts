import { afterAll, describe, expect, it } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, type Config } from "./config.ts";
import { fieldName, loadConfig, parseConfig, type Env } from "./load.ts";

/** The ConfigError that parsing `raw` throws. */
function configError(raw: unknown, env: Env = {}): ConfigError {
  try {
    parseConfig(raw, env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error("expected parseConfig to throw a ConfigError");
}

async function loadError(promise: Promise<Config>): Promise<ConfigError> {
  const err: unknown = await promise.then(
    () => new Error("expected loadConfig to reject"),
    (e: unknown) => e,
  );
  if (err instanceof ConfigError) return err;
  throw err;
}

const openaiWithKey = (value: string) => ({ providers: { openai: { keys: [{ value }] } } });

describe("parseConfig defaults", () => {
  it("fills the server defaults for an empty document", () => {
    const { server, logging } = parseConfig({}, {});
    expect(server).toEqual({
      port: 8080,
      host: "127.0.0.1",
      max_body_bytes: 10_485_760,
      max_body_bytes_in_flight: 134_217_728,
      max_json_depth: 64,
      max_json_values: 500_000,
      drain_timeout_ms: 30_000,
      http2: true,
    });
    expect(logging.level).toBe("info");
  });

  it("fills a provider's pool, timeout, headers and model list", () => {
    const openai = parseConfig({ providers: { openai: {} } }, {}).providers.openai!;
    expect(openai.pool).toEqual({
      concurrency: 256,
      queue_size: 4096,
      workers: 0,
      on_full: "reject",
    });
    expect(openai.timeout_ms).toBe(600_000);
    expect(openai.headers).toEqual({});
    expect(openai.keys).toEqual([]);
    expect(openai.models).toEqual([]);
  });

  it("gives every key a weight of 1 and an empty model list", () => {
    const { keys } = parseConfig(openaiWithKey("sk-a"), {}).providers.openai!;
    expect(keys).toEqual([{ value: "sk-a", weight: 1, models: [] }]);
  });

  it("takes the provider's name as its type when none is given", () => {
    const config = parseConfig({ providers: { groq: {}, work: { type: "openai" } } }, {});
    expect(config.providers.groq!.type).toBe("groq");
    expect(config.providers.work!.type).toBe("openai");
    expect(config.providers.work!.name).toBe("work");
  });

  it("keeps explicit values over defaults", () => {
    const config = parseConfig(
      {
        server: { port: 3000, max_body_bytes: 1024 },
        providers: { openai: { pool: { concurrency: 4 }, keys: [{ value: "k", weight: 2.5 }] } },
      },
      {},
    );
    expect(config.server.port).toBe(3000);
    expect(config.server.max_body_bytes).toBe(1024);
    expect(config.providers.openai!.pool).toEqual({
      concurrency: 4,
      queue_size: 4096,
      workers: 0,
      on_full: "reject",
    });
    expect(config.providers.openai!.keys[0]!.weight).toBe(2.5);
  });

  it("removes trailing slashes from base_url", () => {
    const config = parseConfig({ providers: { local: { base_url: "http://h:1/v1///" } } }, {});
    expect(config.providers.local!.base_url).toBe("http://h:1/v1");
  });

  it("leaves base_url absent when none is configured", () => {
    expect(parseConfig({ providers: { openai: {} } }, {}).providers.openai).not.toHaveProperty(
      "base_url",
    );
  });

  it("does not modify the document it was given", () => {
    const raw = { providers: { openai: { keys: [{ value: "env.KEY" }] } } };
    parseConfig(raw, { KEY: "sk-resolved" });
    expect(raw).toEqual({ providers: { openai: { keys: [{ value: "env.KEY" }] } } });
  });
});

describe("parseConfig env references", () => {
  it("resolves env.NAME in a key value", () => {
    const config = parseConfig(openaiWithKey("env.OPENAI_API_KEY"), { OPENAI_API_KEY: "sk-live" });
    expect(config.providers.openai!.keys[0]!.value).toBe("sk-live");
  });

  it("resolves env.NAME in a header value", () => {
    const doc = { providers: { openai: { headers: { "OpenAI-Organization": "env.ORG" } } } };
    const config = parseConfig(doc, { ORG: "org-42" });
    expect(config.providers.openai!.headers).toEqual({ "OpenAI-Organization": "org-42" });
  });

  it("names the key field when its variable is unset", () => {
    const err = configError(openaiWithKey("env.OPENAI_API_KEY"), {});
    expect(err.field).toBe("providers.openai.keys[0].value");
    expect(err.message).toContain("OPENAI_API_KEY");
  });

  it("treats an empty variable as unset", () => {
    const err = configError(openaiWithKey("env.OPENAI_API_KEY"), { OPENAI_API_KEY: "" });
    expect(err.field).toBe("providers.openai.keys[0].value");
  });

  it("names the header field when its variable is unset", () => {
    const err = configError({ providers: { openai: { headers: { "x-org": "env.ORG" } } } });
    expect(err.field).toBe("providers.openai.headers.x-org");
  });

  it("keeps a value that only looks like a reference", () => {
    const config = parseConfig(openaiWithKey("env.NOT VALID"), {});
    expect(config.providers.openai!.keys[0]!.value).toBe("env.NOT VALID");
  });
});

describe("parseConfig validation", () => {
  it("refuses upstream headers and keys HTTP cannot carry, naming the field and never the value", () => {
    const header = configError({
      providers: { openai: { keys: [{ value: "k" }], headers: { "x-org": "acme\r\nx-evil: 1" } } },
    });
    expect(header.field).toBe("providers.openai.headers.x-org");
    expect(header.message).not.toContain("acme");
    const name = configError({
      providers: { openai: { keys: [{ value: "k" }], headers: { "bad name": "v" } } },
    });
    expect(name.field).toBe("providers.openai.headers.bad name");
    // Two keys pasted into one variable is the usual way to get here (a trailing newline is
    // trimmed, as HTTP trims header values).
    const key = configError(openaiWithKey("env.OPENAI_KEY"), { OPENAI_KEY: "sk-secret-123\nsk-2" });
    expect(key.field).toBe("providers.openai.keys[0].value");
    expect(key.message).not.toContain("sk-secret-123");
  });

  it("rejects an alias whose provider is only a name every object inherits", () => {
    const err = configError({
      providers: { openai: { keys: [{ value: "k" }] } },
      models: { x: "toString/foo" },
    });
    expect(err.field).toBe("models.x");
  });

  it("rejects arrays where objects are expected, naming the field", () => {
    expect(configError({ providers: [] }).field).toBe("providers");
    expect(configError({ models: ["openai/gpt-4o"] }).field).toBe("models");
    expect(configError({ providers: { local: { type: "mock", headers: ["x"] } } }).field).toBe(
      "providers.local.headers",
    );
  });

  it("rejects a document that is not an object", () => {
    expect(() => parseConfig([], {})).toThrow(ConfigError);
    expect(() => parseConfig("port: 8080", {})).toThrow(ConfigError);
    expect(() => parseConfig(null, {})).toThrow(ConfigError);
  });

  it("rejects an unknown server field, naming it", () => {
    expect(configError({ server: { prt: 8081 } }).field).toBe("server.prt");
  });

  it("rejects an unknown provider field, naming it", () => {
    expect(configError({ providers: { openai: { timeout: 5000 } } }).field).toBe(
      "providers.openai.timeout",
    );
  });

  it("rejects an unknown top-level field, naming it", () => {
    expect(configError({ provider: {} }).field).toBe("provider");
  });

  it("rejects an unknown key field, naming it with its index", () => {
    expect(
      configError({ providers: { openai: { keys: [{ value: "k", wieght: 2 }] } } }).field,
    ).toBe("providers.openai.keys[0].wieght");
  });

  it("names a field of the wrong type", () => {
    expect(configError({ server: { port: "8080" } }).field).toBe("server.port");
    expect(configError({ server: { port: 80.5 } }).field).toBe("server.port");
  });

  it("rejects a port out of range", () => {
    expect(configError({ server: { port: 65536 } }).field).toBe("server.port");
  });

  it("rejects a key whose weight is zero, naming the field", () => {
    const doc = { providers: { openai: { keys: [{ value: "k" }, { value: "k2", weight: 0 }] } } };
    expect(configError(doc).field).toBe("providers.openai.keys[1].weight");
  });

  it("rejects a pool concurrency below 1", () => {
    const doc = { providers: { openai: { pool: { concurrency: 0 } } } };
    expect(configError(doc).field).toBe("providers.openai.pool.concurrency");
  });

  it("rejects an unknown log level", () => {
    expect(configError({ logging: { level: "verbose" } }).field).toBe("logging.level");
  });

  it("rejects a provider name with a space or a leading dash", () => {
    expect(configError({ providers: { "my openai": {} } }).field).toBe("providers.my openai");
    expect(configError({ providers: { "-openai": {} } }).field).toBe("providers.-openai");
  });

  it("accepts provider names with dots, dashes and underscores", () => {
    const config = parseConfig({ providers: { "azure-eu_1.prod": { type: "openai" } } }, {});
    expect(Object.keys(config.providers)).toEqual(["azure-eu_1.prod"]);
  });

  it("rejects a base_url that is not a URL", () => {
    const err = configError({ providers: { local: { base_url: "localhost:11434" } } });
    expect(err.field).toBe("providers.local.base_url");
  });

  it("rejects a base_url that is not http or https", () => {
    const err = configError({ providers: { local: { base_url: "ftp://files.example.com" } } });
    expect(err.field).toBe("providers.local.base_url");
  });

  it("rejects an alias to an unknown provider, naming the alias", () => {
    const err = configError({ providers: { openai: {} }, models: { fast: "groq/llama-3" } });
    expect(err.field).toBe("models.fast");
  });

  it("rejects an alias without a slash, naming the alias", () => {
    const err = configError({ providers: { openai: {} }, models: { smart: "gpt-4o" } });
    expect(err.field).toBe("models.smart");
  });

  it("rejects an alias with an empty model name", () => {
    const err = configError({ providers: { openai: {} }, models: { smart: "openai/" } });
    expect(err.field).toBe("models.smart");
  });

  it("accepts an alias whose model name holds further slashes", () => {
    const doc = {
      providers: { openrouter: {} },
      models: { claude: "openrouter/anthropic/claude" },
    };
    expect(parseConfig(doc, {}).models).toEqual({
      claude: {
        targets: [{ model: "openrouter/anthropic/claude", weight: 1 }],
        fallbacks: [],
        strategy: "weighted",
      },
    });
  });

  it("rejects mock options on a provider that is not of type mock", () => {
    const err = configError({ providers: { openai: { mock: { latency_ms: 5 } } } });
    expect(err.field).toBe("providers.openai.mock");
  });

  it("accepts mock options on a mock provider and fills the missing ones", () => {
    const doc = { providers: { fake: { type: "mock", mock: { latency_ms: 5 } } } };
    expect(parseConfig(doc, {}).providers.fake!.mock).toEqual({ latency_ms: 5, chunk_delay_ms: 0 });
  });
});

describe("parseConfig result", () => {
  it("lets overrides win over the file's port and host", () => {
    const doc = { server: { port: 3000, host: "10.0.0.1" } };
    const { server } = parseConfig(doc, {}, { port: 9999, host: "0.0.0.0" });
    expect(server.port).toBe(9999);
    expect(server.host).toBe("0.0.0.0");
  });

  it("is deeply frozen", () => {
    const config = parseConfig(openaiWithKey("sk-a"), {});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.server)).toBe(true);
    expect(Object.isFrozen(config.providers.openai!.keys)).toBe(true);
    expect(Object.isFrozen(config.providers.openai!.keys[0])).toBe(true);
    expect(() => {
      (config.server as { port: number }).port = 1;
    }).toThrow(TypeError);
  });
});

describe("fieldName", () => {
  it("turns a JSON pointer into a dotted path with array indexes", () => {
    expect(fieldName("/providers/openai/keys/0/value")).toBe("providers.openai.keys[0].value");
  });

  it("names a top-level field without a leading dot", () => {
    expect(fieldName("/server")).toBe("server");
  });

  it("gives an empty name for the document itself", () => {
    expect(fieldName("")).toBe("");
  });

  it("unescapes ~1 and ~0", () => {
    expect(fieldName("/models/a~1b/c~0d")).toBe("models.a/b.c~d");
  });
});

describe("loadConfig", () => {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-config-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function writeConfig(name: string, text: string): string {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  }

  it("reads and validates a config file", async () => {
    const file = writeConfig("ok.json", JSON.stringify({ server: { port: 7000 } }));
    const config = await loadConfig({ file, env: {} });
    expect(config.server.port).toBe(7000);
  });

  it("fails with a ConfigError naming a missing file", async () => {
    const file = join(dir, "absent.json");
    const err = await loadError(loadConfig({ file, env: {} }));
    expect(err.message).toContain(file);
  });

  it("fails with a ConfigError for a file that is not JSON", async () => {
    const file = writeConfig("bad.json", '{ "server": { port: 8080 } }');
    const err = await loadError(loadConfig({ file, env: {} }));
    expect(err.message).toContain(file);
  });

  it("passes the file's own errors through with their field", async () => {
    const file = writeConfig("typo.json", JSON.stringify({ server: { prt: 1 } }));
    expect((await loadError(loadConfig({ file, env: {} }))).field).toBe("server.prt");
  });

  it("applies PORT and HOST from the environment", async () => {
    const config = await loadConfig({ env: { PORT: "9000", HOST: "0.0.0.0" } });
    expect(config.server.port).toBe(9000);
    expect(config.server.host).toBe("0.0.0.0");
  });

  it("rejects a PORT that is not a port number", async () => {
    expect((await loadError(loadConfig({ env: { PORT: "http" } }))).field).toBe("PORT");
  });

  it("lets command-line overrides win over the environment", async () => {
    const config = await loadConfig({ env: { PORT: "9000" }, overrides: { port: 9100 } });
    expect(config.server.port).toBe(9100);
  });

  it("ignores overrides that are undefined", async () => {
    const config = await loadConfig({ env: { PORT: "9000" }, overrides: { port: undefined } });
    expect(config.server.port).toBe(9000);
  });

  it("uses the embedded default without a file: a mock provider and a default alias", async () => {
    const config = await loadConfig({ env: {} });
    expect(config.providers.mock!.type).toBe("mock");
    expect(config.models.default!.targets[0]!.model).toBe("mock/echo");
    expect(config.server.port).toBe(8080);
  });
});

describe("parseConfig routes and resilience", () => {
  const providers = { a: {}, b: {} };

  it("fills retry, breaker and cool-down defaults for every provider", () => {
    const p = parseConfig({ providers }, {}).providers.a!;
    expect(p.retry).toEqual({ max_attempts: 3, initial_backoff_ms: 100, max_backoff_ms: 5000 });
    expect(p.breaker.enabled).toBe(true);
    expect(p.breaker.consecutive_failures).toBe(5);
    expect(p.key_cooldown_ms).toBe(60_000);
    expect(p.first_byte_timeout_ms).toBeUndefined();
  });

  it("reads a route with weighted targets, fallbacks and a strategy", () => {
    const doc = {
      providers,
      models: {
        smart: {
          targets: [{ model: "a/big", weight: 3 }, { model: "b/big" }],
          fallbacks: ["b/small"],
          strategy: "least-latency",
        },
      },
    };
    expect(parseConfig(doc, {}).models.smart).toEqual({
      targets: [
        { model: "a/big", weight: 3 },
        { model: "b/big", weight: 1 },
      ],
      fallbacks: ["b/small"],
      strategy: "least-latency",
    });
  });

  it("names a route target or fallback on an unknown provider", () => {
    const target = configError({ providers, models: { s: { targets: [{ model: "zz/m" }] } } });
    expect(target.field).toBe("models.s.targets[0].model");
    const fallback = configError({
      providers,
      models: { s: { targets: [{ model: "a/m" }], fallbacks: ["a/x", "zz/m"] } },
    });
    expect(fallback.field).toBe("models.s.fallbacks[1]");
  });

  it("refuses a route without targets or with an unknown strategy", () => {
    expect(configError({ providers, models: { s: { targets: [] } } }).field).toStartWith(
      "models.s",
    );
    const strategy = configError({
      providers,
      models: { s: { targets: [{ model: "a/m" }], strategy: "fastest" } },
    });
    expect(strategy.field).toStartWith("models.s");
  });

  it("refuses retry settings out of range, naming them", () => {
    const err = configError({ providers: { a: { retry: { max_attempts: 0 } } } });
    expect(err.field).toBe("providers.a.retry.max_attempts");
  });
});
