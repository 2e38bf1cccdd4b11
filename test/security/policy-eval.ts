// A small evaluator of the IAM policy statements gns-sync synthesizes (the condition operators it
// uses, and no others: an unknown operator fails the test), for the adversarial bus-policy tests:
// explicit Deny wins; same account: an Allow in the identity or the resource policy; another
// account: an Allow in both. AWS's rules: IAM User Guide, "Policy evaluation logic".
type Context = Readonly<Record<string, string | readonly string[] | undefined>>;
export interface Statement { readonly Effect: 'Allow' | 'Deny'; readonly Principal?: unknown; readonly Action: string | readonly string[]; readonly Condition?: Record<string, Record<string, unknown>> }

const list = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

function conditionHolds(op: string, key: string, expected: unknown, ctx: Context): boolean {
  const actual = ctx[key];
  const values = list(expected);
  const got = list(actual);
  switch (op) {
    case 'StringEquals': return got.length === 1 && values.includes(got[0]!);
    case 'StringNotEquals': case 'ArnNotEquals': return !(got.length === 1 && values.includes(got[0]!));
    case 'ArnEquals': return got.length === 1 && values.includes(got[0]!);
    case 'ForAllValues:StringEquals': return got.every((g) => values.includes(g));
    case 'ForAnyValue:StringEquals': return got.some((g) => values.includes(g));
    case 'Null': return (actual === undefined) === (values[0] === 'true');
    default: throw new Error(`policy-eval: condition operator ${op} is not modelled`);
  }
}

export function matches(st: Statement, action: string, ctx: Context): boolean {
  if (!list(st.Action).includes(action)) return false;
  return Object.entries(st.Condition ?? {}).every(([op, keys]) => Object.entries(keys).every(([key, v]) => conditionHolds(op, key, v, ctx)));
}

/** Whether `action` is allowed for a principal with `identity` statements against a resource with `resource` statements. */
export function allowed(options: { action: string; identity: readonly Statement[]; resource: readonly Statement[]; sameAccount: boolean; principalIn: (principal: unknown) => boolean; ctx: Context }): boolean {
  const { action, ctx } = options;
  const applies = (st: Statement) => matches(st, action, ctx) && (st.Principal === undefined || st.Principal === '*' || options.principalIn(st.Principal));
  const all = [...options.identity, ...options.resource].filter(applies);
  if (all.some((s) => s.Effect === 'Deny')) return false;
  const byIdentity = options.identity.filter(applies).some((s) => s.Effect === 'Allow');
  const byResource = options.resource.filter(applies).some((s) => s.Effect === 'Allow');
  return options.sameAccount ? byIdentity || byResource : byIdentity && byResource;
}
