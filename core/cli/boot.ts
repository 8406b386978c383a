/** Creates the kernel the CLI works with: built-in plugins plus those named by flags and configs. */
import { builtinPlugins } from '../../plugins/index.js';
import { loadConfig } from '../kernel/config/load-config.js';
import { Kernel } from '../kernel/kernel.js';

export async function bootKernel(options: { plugins?: string[]; configFiles?: string[] } = {}): Promise<Kernel> {
  const fromConfigs = (options.configFiles ?? []).flatMap((file) => loadConfig(file).plugins);
  const specifiers = [...new Set([...(options.plugins ?? []), ...fromConfigs])];
  return new Kernel().load({ builtins: builtinPlugins, specifiers });
}
