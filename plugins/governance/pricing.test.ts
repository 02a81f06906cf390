import { describe, expect, it } from "bun:test";
import { createPricing, priceNames } from "./pricing.ts";

describe("prices", () => {
  const pricing = createPricing({ "local/llama": { input_per_million: 1, output_per_million: 2 } });

  it("price a dated snapshot or an alias as the model it stands for", () => {
    const gpt4o = pricing.price("openai", "gpt-4o");
    expect(gpt4o).toBeDefined();
    for (const name of ["gpt-4o-2024-08-06", "gpt-4o-latest"])
      expect(pricing.price("openai", name)).toEqual(gpt4o!);
    const sonnet = pricing.price("anthropic", "claude-sonnet-4-5");
    for (const name of ["claude-sonnet-4-5-20250929", "claude-sonnet-4-5@20250929"])
      expect(pricing.price("anthropic", name)).toEqual(sonnet!);
    expect(pricing.price("openrouter", "openai/gpt-4o")).toEqual(gpt4o!);
  });

  it("keep a snapshot's own price where it differs from its model's", () => {
    expect(pricing.price("openai", "gpt-4o-2024-05-13")).toEqual({
      input_per_million: 5,
      output_per_million: 15,
    });
  });

  it("prefer the config's price by provider/model", () => {
    expect(pricing.price("local", "llama")).toEqual({
      input_per_million: 1,
      output_per_million: 2,
    });
  });

  it("leave a model they do not know unpriced", () => {
    expect(pricing.price("mock", "echo")).toBeUndefined();
    expect(pricing.price("openai", "gpt-5-unheard-of")).toBeUndefined();
  });

  it("try the most specific name first", () => {
    expect(priceNames("gpt-4o-mini-2024-07-18")).toEqual(["gpt-4o-mini-2024-07-18", "gpt-4o-mini"]);
  });
});
