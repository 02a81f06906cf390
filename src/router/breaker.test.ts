import { describe, expect, it } from "bun:test";
import type { BreakerConfig } from "../config/config.ts";
import { CircuitBreaker } from "./breaker.ts";

const config: BreakerConfig = {
  enabled: true,
  consecutive_failures: 3,
  failure_rate: 0.5,
  window_ms: 10_000,
  min_requests: 10,
  cooldown_ms: 1000,
};

function failTimes(b: CircuitBreaker, n: number, at = 0): void {
  for (let i = 0; i < n; i++) b.failure(at);
}

describe("CircuitBreaker", () => {
  it("stays closed below the consecutive-failure threshold, and a success resets the count", () => {
    const b = new CircuitBreaker(config);
    failTimes(b, 2);
    b.success(0);
    failTimes(b, 2);
    expect(b.current()).toBe("closed");
    expect(b.available(0)).toBe(true);
  });

  it("opens after consecutive failures and refuses calls until the cool-down passes", () => {
    const b = new CircuitBreaker(config);
    failTimes(b, 3, 100);
    expect(b.current()).toBe("open");
    expect(b.available(500)).toBe(false);
    expect(b.retryAfter(500)).toBe(1);
    expect(b.available(1100)).toBe(true);
  });

  it("opens on the failure rate over the window once enough calls were made", () => {
    const b = new CircuitBreaker({ ...config, consecutive_failures: 100 });
    for (let i = 0; i < 10; i++) {
      if (i % 2 === 1) b.failure(i);
      else b.success(i);
    }
    expect(b.current()).toBe("open");
  });

  it("forgets outcomes older than the window", () => {
    const b = new CircuitBreaker({ ...config, consecutive_failures: 100 });
    for (let i = 0; i < 9; i++) b.failure(0);
    b.failure(20_000); // the tenth failure, but the first nine are out of the window
    expect(b.current()).toBe("closed");
    const fresh = new CircuitBreaker({ ...config, consecutive_failures: 100 });
    for (let i = 0; i < 10; i++) fresh.failure(i);
    expect(fresh.current()).toBe("open");
  });

  it("lets one probe through when half-open: success closes, failure reopens", () => {
    const b = new CircuitBreaker(config);
    failTimes(b, 3);
    b.start(1000);
    expect(b.current()).toBe("half_open");
    expect(b.available(1000)).toBe(false);
    b.success(1001);
    expect(b.current()).toBe("closed");

    failTimes(b, 3, 2000);
    b.start(3000);
    b.failure(3001);
    expect(b.current()).toBe("open");
    expect(b.available(3500)).toBe(false);
  });

  it("lets the next call probe when a probe ended with no verdict (a 429, a full pool, a client gone)", () => {
    const b = new CircuitBreaker(config);
    failTimes(b, 3);
    b.start(1000);
    expect(b.available(1000)).toBe(false);
    b.abandon();
    expect(b.current()).toBe("half_open");
    expect(b.available(1001)).toBe(true);
  });

  it("never opens when disabled", () => {
    const b = new CircuitBreaker({ ...config, enabled: false });
    failTimes(b, 50);
    expect(b.current()).toBe("closed");
    expect(b.available(0)).toBe(true);
  });
});
