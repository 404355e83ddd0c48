/**
 * Summarise a V8 .cpuprofile (from `node --cpu-prof`): self time and inclusive time per
 * function, top N, optionally only samples after `--from <ms>` (relative to the profile start).
 *
 *   npx tsx bench/tools/cpuprofile-summary.ts <file.cpuprofile> [--top 40] [--from 20000] [--to 30000] [--last 15000]
 *
 * Times in ms from the start of the profile; `--last` keeps only its final milliseconds.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const { values, positionals } = parseArgs({
  options: {
    top: { type: 'string', default: '40' },
    from: { type: 'string' },
    to: { type: 'string' },
    last: { type: 'string' },
  },
  allowPositionals: true,
});
const file = positionals[0];
if (!file) throw new Error('usage: cpuprofile-summary <file.cpuprofile> [--top n] [--from ms] [--to ms]');
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

const label = (node: ProfileNode) => {
  const url = node.callFrame.url.replace(/^file:\/\//, '').replace(/.*\/node_modules\//, '~/');
  const short = url.replace(/^\/work\/main\//, '');
  return `${node.callFrame.functionName || '(anonymous)'} ${short}:${node.callFrame.lineNumber + 1}`;
};

const durationUs = profile.endTime - profile.startTime;
const from = values.last
  ? durationUs - Number(values.last) * 1000
  : values.from
    ? Number(values.from) * 1000
    : -Infinity;
const to = values.to ? Number(values.to) * 1000 : Infinity;
const self = new Map<string, number>();
const inclusive = new Map<string, number>();
let t = 0;
let total = 0;
for (let i = 0; i < profile.samples.length; i += 1) {
  t += profile.timeDeltas[i] ?? 0;
  const dt = profile.timeDeltas[i + 1] ?? 0;
  if (t < from || t > to) continue;
  const node = byId.get(profile.samples[i]!);
  if (!node) continue;
  total += dt;
  self.set(label(node), (self.get(label(node)) ?? 0) + dt);
  const seen = new Set<string>();
  for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
    const l = label(byId.get(id)!);
    if (seen.has(l)) continue;
    seen.add(l);
    inclusive.set(l, (inclusive.get(l) ?? 0) + dt);
  }
}
const top = Number(values.top);
const show = (title: string, map: Map<string, number>) => {
  console.log(`\n${title} (of ${(total / 1000).toFixed(0)} ms sampled)`);
  for (const [name, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${(us / 1000).toFixed(0).padStart(8)} ms ${((us / total) * 100).toFixed(1).padStart(5)} %  ${name}`);
  }
};
show('Self time', self);
show('Inclusive time', inclusive);
