// A small interpreter for the subset of CEL the rendered ValidatingAdmissionPolicy uses
// (local/manifests/contributions/writer-admission.ts), and the API server's evaluation of one
// policy against one admission request, for tests. Honest about its reach: it parses only what
// it implements (anything else is a parse error, so a policy growing beyond the subset fails the
// test instead of being misread), and follows CEL's semantics for that subset — `&&` and `||`
// absorb an error when the other side decides (false / true), field selection and indexing of a
// missing key or of null are errors, `has()` tests a field's presence, `in` tests a map's keys or
// a list's elements, `==` across types is false. Not covered: CEL's type checker (the API server
// rejects an ill-typed policy at creation), cost limits, and every function and macro not used.
//
// Grammar: cond := or ('?' cond ':' cond)? ; or := and ('||' and)* ; and := rel ('&&' rel)* ;
// rel := add (('=='|'!='|'in') add)? ; add := unary ('+' unary)* ; unary := '!' unary | post ;
// post := primary ('.' ident | '[' cond ']')* ; primary := string | 'null' | 'true' | 'false' |
// ident | 'has' '(' post ')' | '(' cond ')' | '[' (cond (',' cond)*)? ']'.

export class CelError extends Error {
  override readonly name = 'CelError';
}

type Value = unknown;
type Node =
  | { t: 'lit'; v: Value }
  | { t: 'id'; name: string }
  | { t: 'sel'; of: Node; field: string }
  | { t: 'idx'; of: Node; key: Node }
  | { t: 'has'; of: Node; field: string }
  | { t: 'not'; x: Node }
  | { t: 'bin'; op: '&&' | '||' | '==' | '!=' | 'in' | '+'; a: Node; b: Node }
  | { t: 'cond'; c: Node; a: Node; b: Node }
  | { t: 'list'; items: Node[] };

const TOKEN = /\s*(?:('(?:[^'\\]|\\.)*')|(&&|\|\||==|!=|[!?:.[\](),+])|([A-Za-z_][A-Za-z0-9_]*))/y;

function tokenize(src: string): string[] {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < src.length) {
    if (/^\s*$/.test(src.slice(TOKEN.lastIndex))) break;
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(src);
    if (!m) throw new CelError(`unsupported syntax at ${at}: ${JSON.stringify(src.slice(at, at + 20))}`);
    out.push(m[1] ?? m[2] ?? m[3]!);
  }
  return out;
}

export function parse(src: string): Node {
  const toks = tokenize(src);
  let i = 0;
  const peek = () => toks[i];
  const take = (want?: string): string => {
    const t = toks[i++];
    if (t === undefined || (want !== undefined && t !== want)) throw new CelError(`expected ${want ?? 'a token'}, got ${t ?? 'the end'} in ${src}`);
    return t;
  };
  const cond = (): Node => {
    const c = or();
    if (peek() !== '?') return c;
    take('?');
    const a = cond();
    take(':');
    return { t: 'cond', c, a, b: cond() };
  };
  const chain = (next: () => Node, op: '&&' | '||') => (): Node => {
    let a = next();
    while (peek() === op) {
      take();
      a = { t: 'bin', op, a, b: next() };
    }
    return a;
  };
  const rel = (): Node => {
    const a = add();
    const op = peek();
    if (op === '==' || op === '!=' || op === 'in') {
      take();
      return { t: 'bin', op, a, b: add() };
    }
    return a;
  };
  const and = chain(rel, '&&');
  const or = chain(and, '||');
  function add(): Node {
    let a = unary();
    while (peek() === '+') {
      take();
      a = { t: 'bin', op: '+', a, b: unary() };
    }
    return a;
  }
  function unary(): Node {
    if (peek() === '!') {
      take();
      return { t: 'not', x: unary() };
    }
    return post();
  }
  function post(): Node {
    let n = primary();
    for (;;) {
      if (peek() === '.') {
        take();
        n = { t: 'sel', of: n, field: ident() };
      } else if (peek() === '[') {
        take();
        n = { t: 'idx', of: n, key: cond() };
        take(']');
      } else return n;
    }
  }
  function ident(): string {
    const t = take();
    if (!/^[A-Za-z_]\w*$/.test(t)) throw new CelError(`expected a name, got ${t}`);
    return t;
  }
  function primary(): Node {
    const t = peek();
    if (t === undefined) throw new CelError(`unexpected end of ${src}`);
    if (t.startsWith("'")) {
      take();
      return { t: 'lit', v: t.slice(1, -1).replace(/\\(.)/g, '$1') };
    }
    if (t === '(') {
      take();
      const e = cond();
      take(')');
      return e;
    }
    if (t === '[') {
      take();
      const items: Node[] = [];
      while (peek() !== ']') {
        items.push(cond());
        if (peek() === ',') take();
        else break;
      }
      take(']');
      return { t: 'list', items };
    }
    if (t === 'null' || t === 'true' || t === 'false') {
      take();
      return { t: 'lit', v: t === 'null' ? null : t === 'true' };
    }
    if (t === 'has') {
      take();
      take('(');
      const target = post();
      take(')');
      if (target.t !== 'sel') throw new CelError('has() takes a field selection');
      return { t: 'has', of: target.of, field: target.field };
    }
    return { t: 'id', name: ident() };
  }
  const node = cond();
  if (i !== toks.length) throw new CelError(`unexpected ${toks[i]} in ${src}`);
  return node;
}

const isMap = (v: Value): v is Record<string, Value> => typeof v === 'object' && v !== null && !Array.isArray(v);

function boolOf(v: Value, what: string): boolean {
  if (typeof v !== 'boolean') throw new CelError(`${what}: expected a bool, got ${JSON.stringify(v)}`);
  return v;
}

/** Evaluates `node` with `env` (names → values; a function value is called once, lazily: a VAP variable). */
export function evaluate(node: Node, env: Readonly<Record<string, Value>>): Value {
  const ev = (n: Node): Value => evaluate(n, env);
  const attempt = (n: Node): { v?: Value; e?: CelError } => {
    try {
      return { v: ev(n) };
    } catch (e) {
      if (e instanceof CelError) return { e };
      throw e;
    }
  };
  switch (node.t) {
    case 'lit':
      return node.v;
    case 'id': {
      if (!(node.name in env)) throw new CelError(`undeclared reference ${node.name}`);
      return env[node.name];
    }
    case 'sel': {
      const of = ev(node.of);
      if (!isMap(of)) throw new CelError(`select .${node.field} of ${of === null ? 'null' : typeof of}`);
      if (!(node.field in of)) throw new CelError(`no such key: ${node.field}`);
      const v = of[node.field];
      return typeof v === 'function' ? (v as () => Value)() : v;
    }
    case 'idx': {
      const of = ev(node.of);
      const key = ev(node.key);
      if (!isMap(of) || typeof key !== 'string') throw new CelError('index of a non-map or with a non-string key');
      if (!(key in of)) throw new CelError(`no such key: ${key}`);
      return of[key];
    }
    case 'has': {
      const of = ev(node.of);
      if (!isMap(of)) throw new CelError(`has() on ${of === null ? 'null' : typeof of}`);
      return node.field in of && of[node.field] !== undefined;
    }
    case 'not':
      return !boolOf(ev(node.x), '!');
    case 'list':
      return node.items.map(ev);
    case 'cond':
      return boolOf(ev(node.c), '?:') ? ev(node.a) : ev(node.b);
    case 'bin': {
      if (node.op === '&&' || node.op === '||') {
        const decides = node.op === '||'; // true decides ||, false decides &&
        const a = attempt(node.a);
        if (a.e === undefined && boolOf(a.v, node.op) === decides) return decides;
        const b = attempt(node.b);
        if (b.e === undefined && boolOf(b.v, node.op) === decides) return decides;
        if (a.e) throw a.e;
        if (b.e) throw b.e;
        return !decides;
      }
      const a = ev(node.a);
      const b = ev(node.b);
      if (node.op === '==') return a === b;
      if (node.op === '!=') return a !== b;
      if (node.op === '+') {
        if (typeof a === 'string' && typeof b === 'string') return a + b;
        throw new CelError('+ of non-strings');
      }
      if (Array.isArray(b)) return b.includes(a);
      if (isMap(b)) {
        if (typeof a !== 'string') throw new CelError('in: non-string key');
        return a in b;
      }
      throw new CelError('in: neither a list nor a map');
    }
  }
}

export const evalCel = (src: string, env: Readonly<Record<string, Value>>): Value => evaluate(parse(src), env);

/** An admission request as the API server hands it to a ValidatingAdmissionPolicy. */
export interface AdmissionRequest {
  readonly operation: 'CREATE' | 'UPDATE' | 'DELETE';
  readonly username: string;
  readonly group: string;
  readonly resource: string;
  readonly namespace: string;
  readonly name: string;
  /** The object after the change (null for DELETE). */
  readonly object: Value;
  /** The object before (null for CREATE). */
  readonly oldObject: Value;
}

interface Policy {
  readonly spec: {
    readonly failurePolicy: 'Fail' | 'Ignore';
    readonly matchConstraints: { readonly resourceRules: readonly { apiGroups: string[]; operations: string[]; resources: string[] }[] };
    readonly matchConditions?: readonly { name: string; expression: string }[];
    readonly variables?: readonly { name: string; expression: string }[];
    readonly validations: readonly { expression: string; messageExpression?: string; reason?: string }[];
  };
}

export type Verdict = { readonly allowed: true; readonly matched: boolean } | { readonly allowed: false; readonly message: string; readonly reason?: string };

/**
 * What the API server decides for one request under one policy bound with `validationActions:
 * [Deny]` and no param: not matched by the constraints or a match condition → allowed;
 * otherwise every validation must be true; an evaluation error follows `failurePolicy`.
 */
export function admit(policy: Policy, req: AdmissionRequest): Verdict {
  const { spec } = policy;
  const matches = spec.matchConstraints.resourceRules.some((r) =>
    (r.apiGroups.includes('*') || r.apiGroups.includes(req.group)) && (r.resources.includes('*') || r.resources.includes(req.resource)) && r.operations.includes(req.operation));
  if (!matches) return { allowed: true, matched: false };
  const variables: Record<string, Value> = {};
  const env: Record<string, Value> = {
    request: { operation: req.operation, userInfo: { username: req.username }, resource: { group: req.group, resource: req.resource }, namespace: req.namespace, name: req.name },
    object: req.object,
    oldObject: req.oldObject,
    variables,
  };
  for (const v of spec.variables ?? []) {
    let memo: { v: Value } | undefined;
    // Lazily evaluated, once, like the API server's variables (an error surfaces where used).
    variables[v.name] = () => (memo ??= { v: evalCel(v.expression, env) }).v;
  }
  const fail = (message: string): Verdict => (spec.failurePolicy === 'Ignore' ? { allowed: true, matched: true } : { allowed: false, message });
  try {
    for (const c of spec.matchConditions ?? []) if (evalCel(c.expression, env) !== true) return { allowed: true, matched: false };
  } catch (e) {
    if (e instanceof CelError) return fail(`match condition error: ${e.message}`);
    throw e;
  }
  for (const v of spec.validations) {
    let ok: Value;
    try {
      ok = evalCel(v.expression, env);
    } catch (e) {
      if (e instanceof CelError) return fail(`validation error: ${e.message}`);
      throw e;
    }
    if (ok !== true) {
      const message = v.messageExpression === undefined ? v.expression : String(evalCel(v.messageExpression, env));
      return { allowed: false, message, ...(v.reason === undefined ? {} : { reason: v.reason }) };
    }
  }
  return { allowed: true, matched: true };
}
