// The layout is the architecture: folders depend on each other in one direction only. Each folder of
// src/modules and src/channels, and each other top-level folder of src, is one node; a cycle between
// nodes means two folders that can no longer be understood (or changed) one at a time.
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '../../src');

/** The node a source file belongs to: `modules/tickets`, `channels/whatsapp`, `channels/registry`, `domain`… */
function nodeOf(file: string): string {
  const parts = path.relative(SRC, file).split(path.sep);
  if (parts.length === 1) return '(src)';
  // The registry maps kinds to adapters: it sits above every channel folder, the contract below them.
  if (parts[0] === 'channels' && parts[1] === 'registry.ts') return 'channels/registry';
  if ((parts[0] === 'modules' || parts[0] === 'channels') && parts.length > 2) return `${parts[0]}/${parts[1]}`;
  return parts[0]!;
}

/** Folder-level import edges between nodes, from every non-test source file. */
function folderGraph(): Map<string, Set<string>> {
  const edges = new Map<string, Set<string>>();
  const files = (fs.readdirSync(SRC, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).map((f) => path.join(SRC, f));
  for (const file of files) {
    const { importedFiles } = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
    for (const imported of importedFiles) {
      if (!imported.fileName.startsWith('.')) continue;
      const from = nodeOf(file);
      const to = nodeOf(path.resolve(path.dirname(file), imported.fileName.replace(/\.js$/, '.ts')));
      if (from === to) continue;
      if (!edges.has(from)) edges.set(from, new Set());
      edges.get(from)!.add(to);
    }
  }
  return edges;
}

/** The strongly connected components with more than one node (Tarjan's algorithm). */
function cyclesOf(edges: Map<string, Set<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let next = 0;
  const visit = (node: string) => {
    index.set(node, next);
    low.set(node, next++);
    stack.push(node);
    onStack.add(node);
    for (const target of edges.get(node) ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(node, Math.min(low.get(node)!, low.get(target)!));
      } else if (onStack.has(target)) low.set(node, Math.min(low.get(node)!, index.get(target)!));
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) cycles.push(component.sort());
    }
  };
  const nodes = new Set([...edges.keys(), ...[...edges.values()].flatMap((targets) => [...targets])]);
  for (const node of nodes) if (!index.has(node)) visit(node);
  return cycles;
}

describe('the folder import graph', () => {
  const edges = folderGraph();

  it('has no cycle between folders', () => {
    expect(cyclesOf(edges)).toEqual([]);
  });

  it('lets only the registry reach into a channel folder', () => {
    const intoChannelFolders = [...edges].flatMap(([from, targets]) =>
      [...targets].filter((to) => /^channels\/(?!registry$)/.test(to) && !from.startsWith('channels/')).map((to) => `${from} -> ${to}`),
    );
    expect(intoChannelFolders).toEqual([]);
  });

  it('finds a cycle when there is one', () => {
    expect(cyclesOf(new Map([['a', new Set(['b'])], ['b', new Set(['c'])], ['c', new Set(['a'])]]))).toEqual([['a', 'b', 'c']]);
  });
});
