// Cluster names become parts of CloudFormation ids in the cloud stacks (infra/: the credentials
// secret, its output, the agent role and its output). CloudFormation keeps only letters and
// digits of an id, so `a-b`, `a.b`, `a_b` and `ab` are one id, and `cdk synth` fails ("Outputs
// already contains ClusterSecretab"). The config refuses such names up front, with the reason,
// so `validate-config` accepts only what can deploy (issue 11, finding 6).

/** What CloudFormation keeps of a cluster name in a logical id: its letters and digits. */
export const cloudIdOf = (name: string): string => name.replace(/[^A-Za-z0-9]/g, '');

/** One problem per cluster whose name collides with an earlier one's once reduced to its cloud id. */
export function cloudIdCollisions(names: readonly string[]): { readonly index: number; readonly message: string }[] {
  const first = new Map<string, number>();
  const out: { index: number; message: string }[] = [];
  names.forEach((name, index) => {
    const id = cloudIdOf(name);
    const earlier = first.get(id);
    if (earlier === undefined) first.set(id, index);
    else if (names[earlier] !== name) {
      out.push({ index, message: `cluster name "${name}" collides with "${names[earlier]}" (clusters[${earlier}]) in the cloud stacks' ids, which keep only letters and digits ("${id}"); rename one of them` });
    }
  });
  return out;
}
