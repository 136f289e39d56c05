/**
 * Reads a V8 .cpuprofile and attributes time: self time per function, and inclusive time per
 * function counted once per stack (recursion is not double counted), grouped so that the
 * service's own files stand apart from the libraries they call.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** The checkout this bench runs from (a snapshot of the tree need not be called main). */
const ROOT = fileURLToPath(new URL('../../', import.meta.url))

interface CallFrame { functionName: string, url: string, lineNumber: number }
interface ProfileNode { id: number, callFrame: CallFrame, children?: number[] }
interface CpuProfile { nodes: ProfileNode[], startTime: number, endTime: number, samples: number[], timeDeltas: number[] }

export interface Attribution { key: string, selfMs: number, totalMs: number }

export function shortUrl (url: string): string {
  const u = url.replace(/^file:\/\//, '')
  const nm = u.lastIndexOf('/node_modules/')
  if (nm >= 0) return u.slice(nm + '/node_modules/'.length)
  return u.startsWith(ROOT) ? u.slice(ROOT.length) : u === '' ? '(native)' : u
}

export interface Analysis { wallMs: number, idleMs: number, byFunction: Attribution[], byFile: Attribution[], folded: Attribution[] }

/** fromFn: only samples after the first one whose stack holds a frame whose URL contains it (skips start-up). */
export function analyze (path: string, fromUrl?: string): Analysis {
  const p = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile
  const byId = new Map(p.nodes.map((n) => [n.id, n]))
  const parent = new Map<number, ProfileNode>()
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n)
  const onStack = (id: number, part: string): boolean => {
    for (let n = byId.get(id); n !== undefined; n = parent.get(n.id)) if (n.callFrame.url.includes(part)) return true
    return false
  }
  const selfUs = new Map<number, number>()
  let started = fromUrl === undefined
  let wallUs = 0
  for (let i = 0; i < p.samples.length; i++) {
    const id = p.samples[i] as number
    if (!started && onStack(id, fromUrl ?? '')) started = true
    if (!started) continue
    wallUs += p.timeDeltas[i] ?? 0
    selfUs.set(id, (selfUs.get(id) ?? 0) + (p.timeDeltas[i] ?? 0))
  }
  // Native frames (socket and file writes, string encoding) are charged to their nearest JS caller.
  const jsOwner = (n: ProfileNode): ProfileNode => {
    let cur = n
    for (let up = parent.get(cur.id); cur.callFrame.url === '' && up !== undefined && up.callFrame.functionName !== '(root)'; up = parent.get(cur.id)) cur = up
    return cur
  }
  const fnKey = (n: ProfileNode): string => `${n.callFrame.functionName || '(anonymous)'} ${shortUrl(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`
  const fileKey = (n: ProfileNode): string => shortUrl(n.callFrame.url)
  const tally = (keyOf: (n: ProfileNode) => string): Attribution[] => {
    const self = new Map<string, number>()
    const total = new Map<string, number>()
    const root = p.nodes[0] as ProfileNode
    // Iterative walk; `onPath` holds the keys on the current stack so a key counts once per sample.
    const stack: Array<{ node: ProfileNode, entered: boolean}> = [{ node: root, entered: false }]
    const onPath = new Map<string, number>()
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as { node: ProfileNode, entered: boolean }
      const key = keyOf(top.node)
      if (!top.entered) {
        top.entered = true
        onPath.set(key, (onPath.get(key) ?? 0) + 1)
        const us = selfUs.get(top.node.id) ?? 0
        self.set(key, (self.get(key) ?? 0) + us)
        for (const k of onPath.keys()) total.set(k, (total.get(k) ?? 0) + us)
        for (const c of top.node.children ?? []) {
          const child = byId.get(c)
          if (child !== undefined) stack.push({ node: child, entered: false })
        }
        continue
      }
      stack.pop()
      const left = (onPath.get(key) ?? 1) - 1
      if (left === 0) onPath.delete(key)
      else onPath.set(key, left)
    }
    return [...self.keys()].map((k) => ({ key: k, selfMs: (self.get(k) ?? 0) / 1000, totalMs: (total.get(k) ?? 0) / 1000 }))
  }
  const idle = p.nodes.filter((n) => n.callFrame.functionName === '(idle)').reduce((s, n) => s + (selfUs.get(n.id) ?? 0), 0)
  const foldedKey = (n: ProfileNode): string => n.callFrame.url === '' ? `${fnKey(n)} ← ${fnKey(jsOwner(n))}` : fnKey(n)
  return { wallMs: wallUs / 1000, idleMs: idle / 1000, byFunction: tally(fnKey), byFile: tally(fileKey), folded: tally(foldedKey) }
}
