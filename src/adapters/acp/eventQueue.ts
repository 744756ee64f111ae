type Step = () => void | Promise<void>;

export interface QueuePressure {
  /** Pending steps at which `onChange(true)` is called (the producer should pause). */
  readonly high: number;
  /** Pending steps at which `onChange(false)` is called again. */
  readonly low: number;
  onChange(paused: boolean): void;
}

/**
 * Runs steps one after another, in the order they were queued, each awaited before the next. The ACP
 * SDK does not await notification handlers; publishing a session's events through one of these keeps
 * them in arrival order. A step that throws does not stop the queue. With `pressure`, a long queue
 * asks its producer to pause, so memory stays bounded when publishing is slower than the agent.
 * Besides steps (functions) it takes items (any non-function value), each run by `handle` in its
 * place: the common case (one item per agent message) then costs no closure, and no await when
 * `handle` answers synchronously.
 */
export class EventQueue<T = never> {
  private steps: (Step | T | undefined)[] = [];
  private head = 0;
  private running = false;
  private paused = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly pressure?: QueuePressure,
    private readonly handle?: (item: T) => void | Promise<void>,
  ) {}

  get size(): number {
    return this.steps.length - this.head;
  }

  /** Queues a step (or an item for `handle`); it runs after every one queued before it. */
  run(step: Step | T): void {
    this.steps.push(step);
    if (this.pressure && !this.paused && this.size >= this.pressure.high) {
      this.paused = true;
      this.pressure.onChange(true);
    }
    if (!this.running) void this.pump();
  }

  /** Resolves once every step queued so far (and any queued meanwhile) has run. */
  idle(): Promise<void> {
    if (!this.running && this.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async pump(): Promise<void> {
    this.running = true;
    while (this.head < this.steps.length) {
      const step = this.steps[this.head]!;
      this.steps[this.head++] = undefined;
      if (this.head >= 1024 && this.head * 2 >= this.steps.length) {
        this.steps = this.steps.slice(this.head);
        this.head = 0;
      }
      try {
        const pending = typeof step === 'function' ? (step as Step)() : this.handle!(step as T);
        if (pending) await pending;
      } catch {
        // a failed step (a publish the bus refused) must not wedge the ones after it
      }
      if (this.paused && this.size <= this.pressure!.low) {
        this.paused = false;
        this.pressure!.onChange(false);
      }
    }
    this.steps = [];
    this.head = 0;
    this.running = false;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
