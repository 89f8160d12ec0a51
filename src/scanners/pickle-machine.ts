import type { ScanLimits } from './scan-limits';

export type Kind = 'str' | 'bytes' | 'num' | 'none' | 'global' | 'call' | 'tuple' | 'list' | 'dict' | 'set' | 'other';

/**
 * A symbolic stand-in for what the unpickler would hold: enough to resolve STACK_GLOBAL operands, tell
 * a called global from a computed callable, and weigh how large the object graph would expand.
 */
export class PValue {
  constructor(
    readonly k: Kind,
    /** Leaf objects reachable when the value is walked, shared references counted each time. */
    public w = 1,
    /** str: its text when short; global/call: the resolved `module.name`. */
    readonly text: string | null = null,
    /** str/bytes that hold a pickle themselves. */
    readonly nested = false,
    /** tuple items when few (arguments are inspected); null otherwise. */
    readonly items: readonly PValue[] | null = null,
  ) {}
}

export const LEAF = { num: new PValue('num'), none: new PValue('none'), other: new PValue('other'), bytes: new PValue('bytes') };

export type StopKind = 'malformed' | 'limit' | 'truncated';

/**
 * Ends the walk of one pickle: the stream is not what the unpickler would accept, or a limit was hit.
 * Not an Error subclass on purpose: probing thousands of zip members throws one per member, and capturing
 * a stack trace each time cost more than the walk itself.
 */
export class PickleStop {
  constructor(
    readonly kind: StopKind,
    readonly message: string,
  ) {}
}

const KEPT_ITEMS = 8;
const DENSE_SLACK = 1024;
const MAX_DENSE = 1 << 26;

/** The unpickler's stack, metastack (marks) and memo, with the limits enforced on every push. */
export class PickleMachine {
  stack: PValue[] = [];
  private readonly metastack: PValue[][] = [];
  private depth = 0;
  /** Memo indices are small and dense in real pickles: an array, with a Map for the rest. */
  private readonly memoDense: (PValue | undefined)[] = [];
  private readonly memoSparse = new Map<number, PValue>();
  private memoSize = 0;
  maxWeight = 0;

  constructor(private readonly limits: ScanLimits) {}

  push(value: PValue): void {
    if (++this.depth > this.limits.maxStackDepth) throw new PickleStop('limit', `stack deeper than ${this.limits.maxStackDepth}`);
    this.stack.push(value);
  }

  pop(): PValue {
    const value = this.stack.pop();
    if (value === undefined) throw new PickleStop('malformed', 'pop from an empty stack');
    this.depth -= 1;
    return value;
  }

  top(): PValue {
    const value = this.stack[this.stack.length - 1];
    if (value === undefined) throw new PickleStop('malformed', 'stack is empty');
    return value;
  }

  mark(): void {
    if (++this.depth > this.limits.maxStackDepth) throw new PickleStop('limit', `stack deeper than ${this.limits.maxStackDepth}`);
    this.metastack.push(this.stack);
    this.stack = [];
  }

  popMark(): PValue[] {
    const items = this.stack;
    const previous = this.metastack.pop();
    if (previous === undefined) throw new PickleStop('malformed', 'no MARK to pop to');
    this.depth -= items.length + 1;
    this.stack = previous;
    return items;
  }

  put(index: number): void {
    if (!Number.isSafeInteger(index) || index < 0) throw new PickleStop('malformed', `negative or invalid memo index ${index}`);
    const value = this.top();
    if (index <= this.memoDense.length + DENSE_SLACK && index < MAX_DENSE) {
      if (this.memoDense[index] === undefined && !this.memoSparse.delete(index)) this.memoSize += 1;
      while (this.memoDense.length < index) this.memoDense.push(undefined);
      this.memoDense[index] = value;
    } else {
      if (!this.memoSparse.has(index)) this.memoSize += 1;
      this.memoSparse.set(index, value);
    }
    if (this.memoSize > this.limits.maxMemoEntries) throw new PickleStop('limit', `memo larger than ${this.limits.maxMemoEntries} entries`);
  }

  /** MEMOIZE stores at len(memo), which collides with explicit PUT indices exactly as in CPython. */
  memoize(): void {
    this.put(this.memoSize);
  }

  get(index: number): PValue {
    const value = this.memoDense[index] ?? this.memoSparse.get(index);
    if (value === undefined) throw new PickleStop('malformed', `memo entry ${index} read before it was written`);
    return value;
  }

  tuple(items: PValue[]): PValue {
    let w = 1;
    for (const item of items) w += item.w;
    this.weigh(w);
    return new PValue('tuple', w, null, false, items.length <= KEPT_ITEMS ? items : null);
  }

  container(kind: 'list' | 'dict' | 'set', items: readonly PValue[]): PValue {
    const value = new PValue(kind, 1);
    this.add(value, items);
    return value;
  }

  /** APPEND(S)/SETITEM(S)/ADDITEMS into whatever is below: a container grows by what it now references. */
  add(target: PValue, items: readonly PValue[]): void {
    if (target.k !== 'list' && target.k !== 'dict' && target.k !== 'set' && target.k !== 'call' && target.k !== 'other') {
      throw new PickleStop('malformed', `cannot add items to a ${target.k}`);
    }
    for (const item of items) target.w += item.w;
    this.weigh(target.w);
  }

  private weigh(w: number): void {
    if (w > this.maxWeight) this.maxWeight = w;
  }
}
