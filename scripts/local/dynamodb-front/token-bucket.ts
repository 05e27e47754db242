/** One partition's capacity: a token bucket refilled at the partition's rate, holding at most its burst. */

export class Bucket {
  tokens: number;
  private last = performance.now();
  constructor(
    readonly rate: number,
    readonly capacity: number,
  ) {
    this.tokens = capacity;
  }
  refill(now: number): this {
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    return this;
  }
  /** Room for `units`, or full: a request larger than the burst still passes on a rested partition. */
  admits(units: number): boolean {
    return this.tokens >= units || this.tokens >= this.capacity;
  }
}
