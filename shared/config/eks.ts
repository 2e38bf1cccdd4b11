// An EKS cluster in the config (issue 11, finding 1): its name and region, and nothing else.
// The functions reach it with their own role (an EKS access entry maps it to the writer RBAC);
// the API endpoint and CA come from `eks:DescribeCluster` on exactly this cluster, never from a
// secret, so whoever may write a secret cannot point the function's token at another server.
import * as z from 'zod'; // the namespace import lets esbuild drop what is unused (`{ z }` keeps all of zod: ADR 10)

/** An EKS cluster name (the EKS API's rule: 1-100 of letters, digits, - and _, starting alphanumeric). */
export const EKS_CLUSTER_NAME_RE = /^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$/;
/** An AWS region like eu-west-1 or us-gov-west-1. */
export const AWS_REGION_RE = /^[a-z]{2}(-[a-z]+)+-\d$/;

export const EksClusterSchema = z.strictObject({
  name: z.string({ error: 'expected the EKS cluster name' }).regex(EKS_CLUSTER_NAME_RE, 'must be an EKS cluster name (1-100 of letters, digits, - and _, starting with a letter or digit)'),
  region: z.string({ error: 'expected an AWS region like eu-west-1' }).regex(AWS_REGION_RE, 'must be an AWS region like eu-west-1'),
});
export type EksCluster = z.infer<typeof EksClusterSchema>;
