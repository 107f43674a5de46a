import { Command } from 'commander'
import { oneOf } from '../options.js'
import type { GraphFormat } from '../../tasks/graph-text.js'

export function graphCommand (): Command {
  return new Command('graph')
    .description('print the dependency graph of a task file, for Mermaid or Graphviz')
    .argument('<file>', 'task file, JSON or YAML')
    .option('--format <format>', 'mermaid or dot', oneOf('mermaid', 'dot'), 'mermaid')
    .action(async (file: string, opts: { format: GraphFormat }) => {
      const [{ loadTaskFile }, { renderGraph }] = await Promise.all([import('../../tasks/load.js'), import('../../tasks/graph-text.js')])
      const specs = await loadTaskFile(file)
      process.stdout.write(renderGraph(specs.map(spec => ({ spec })), opts.format))
    })
}
