// The config module: `loadConfig(path)`, `parseConfig(text, source)`, the Config type, topology helpers.
export { ConfigError, loadConfig, parseConfig } from './load.ts';
export { ConfigFileSchema, ConfigSchema, DEFAULT_VIP_POOL, DEFAULT_VIP_RELEASE_AFTER } from './schema.ts';
export type { ClusterConfig, Config, ConfigFile } from './schema.ts';
export { formatDuration, parseDuration } from './duration.ts';
export { gnsOfMember, membersOf, networkOf, topologyOf } from './topology.ts';
export { toConfigFile } from './format.ts';
