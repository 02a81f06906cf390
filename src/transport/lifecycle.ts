/**
 * Readiness and draining state, and the count of requests in flight (a stream counts until its
 * last byte), as `/health` reports them.
 */
export class Lifecycle {
  ready = false;
  draining = false;
  private inFlight = 0;

  get active(): number {
    return this.inFlight;
  }

  enter(): void {
    this.inFlight++;
  }

  leave(): void {
    this.inFlight--;
  }
}
