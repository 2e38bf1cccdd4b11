// `gns-sync manifests --config FILE --cluster NAME [--out DIR]`: a cluster's manifests — the
// agent, its settings and every RBAC grant gns-sync needs there — as a kustomize overlay in DIR,
// or, without --out, as one YAML stream for `kubectl apply -f -`.
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { ConfigError, loadConfig } from '../../../shared/config/load.ts';
import { baseDir, baseObjects } from '../../manifests/base.ts';
import type { ManifestSettings } from '../../manifests/contribution.ts';
import { overlayFiles } from '../../manifests/overlay.ts';
import { agentConfigMap, rbacObjects, renderCluster, UnknownClusterError } from '../../manifests/render.ts';
import { packageVersion } from '../../package-root.ts';
import type { Command } from '../command.ts';
import { UsageError } from '../command.ts';

const USAGE_LINE = 'usage: gns-sync manifests --config FILE --cluster NAME [--out DIR] [--event-bus NAME|ARN] [--region REGION] [--image IMAGE]';

/** The settings of the command's options, defaults filled in (deploy/clusters/* use the defaults). */
export function manifestSettings(options: { eventBus?: string | undefined; region?: string | undefined; image?: string | undefined } = {}): ManifestSettings {
  return {
    eventBus: options.eventBus ?? 'gns-sync',
    region: options.region ?? 'us-east-1',
    image: options.image ?? `gns-sync-agent:${packageVersion()}`,
  };
}

export const manifests: Command = {
  name: 'manifests',
  summary: "Render a cluster's agent, settings and RBAC (a kustomize overlay, or YAML for kubectl apply -f -)",
  usage: [
    USAGE_LINE,
    '',
    "Renders what gns-sync needs in cluster NAME of the config: the agent (Deployment, ServiceAccount,",
    "its ConfigMap), the agent's RBAC (read pods and Services of exactly the cluster's member",
    "namespaces, its Lease) and the functions' writer RBAC (EndpointSlices and Events there).",
    '',
    '  --out DIR           write a kustomize overlay into DIR (kubectl apply -k DIR); without it,',
    '                      print every object as one YAML stream (kubectl apply -f -)',
    '  --event-bus NAME    the event bus name, or its ARN for another account (default gns-sync)',
    '  --region REGION     the region of the deployed stacks (default us-east-1)',
    '  --image IMAGE       the agent image (default gns-sync-agent:<version>)',
    '',
    'Render again when the config changes: the RBAC follows the member namespaces.',
  ].join('\n'),
  async run(args) {
    let values;
    try {
      ({ values } = parseArgs({
        args: [...args],
        options: {
          config: { type: 'string' },
          cluster: { type: 'string' },
          out: { type: 'string' },
          'event-bus': { type: 'string' },
          region: { type: 'string' },
          image: { type: 'string' },
        },
        strict: true,
        allowPositionals: false,
      }));
    } catch (error) {
      throw new UsageError(`${(error as Error).message}; ${USAGE_LINE}`, { cause: error });
    }
    if (!values.config) throw new UsageError(`--config is required; ${USAGE_LINE}`);
    if (!values.cluster) throw new UsageError(`--cluster is required; ${USAGE_LINE}`);
    const settings = manifestSettings({ eventBus: values['event-bus'], region: values.region, image: values.image });
    for (const [flag, value] of [['event-bus', settings.eventBus], ['region', settings.region], ['image', settings.image]] as const) {
      if (!/^[\w./:@-]+$/.test(value)) throw new UsageError(`--${flag} ${JSON.stringify(value)}: expected letters, digits and . / : @ _ -`);
    }
    let rendered;
    try {
      rendered = renderCluster(loadConfig(values.config), values.cluster, settings);
    } catch (error) {
      if (error instanceof ConfigError) {
        console.error(error.message);
        return 2;
      }
      if (error instanceof UnknownClusterError) throw new UsageError(`--cluster ${values.cluster}: ${error.message}`);
      throw error;
    }
    if (values.out === undefined) {
      const objects = [...baseObjects(settings.image), agentConfigMap(rendered), ...rbacObjects(rendered), ...[...rendered.objects.values()].flat()];
      process.stdout.write(objects.map((o) => stringify(o, { lineWidth: 0 })).join('---\n'));
      return 0;
    }
    const out = resolve(values.out);
    if (existsSync(out) && !statSync(out).isDirectory()) throw new UsageError(`--out ${values.out}: is a file, not a directory`);
    mkdirSync(out, { recursive: true });
    const files = overlayFiles(rendered, relative(out, baseDir()) || '.');
    for (const [name, text] of files) writeFileSync(join(out, name), text);
    const stale = readdirSync(out).filter((f) => /\.ya?ml$/.test(f) && !files.has(f));
    const n = rendered.ctx.members.length;
    console.log(`${values.out}: ${[...files.keys()].join(', ')} (cluster ${values.cluster}: ${n} member namespace${n === 1 ? '' : 's'})`);
    if (stale.length > 0) console.log(`  not rendered, not in kustomization.yaml (delete them if they are old output): ${stale.join(', ')}`);
    return 0;
  },
};
