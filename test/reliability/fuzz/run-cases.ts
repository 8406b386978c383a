/**
 * Runs fuzz cases through harness-child.ts processes, each case under a time limit: a case that
 * exceeds it is a hang, and its process is killed and replaced before the next case.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Readable } from 'node:stream';

export interface FuzzCase {
  id: string;
  /** What is fuzzed: config | data | model | cli. */
  family: string;
  argv: string[];
  /**
   * `reject`: must exit 1 with an error; `report`: must exit 1, or exit 0 having reported
   * the defect (a bad row, a warning) — `reported` says how to see it; `any`: may succeed.
   */
  expect: 'reject' | 'report' | 'any';
  /** For `report`: true when a successful run's output shows the defect. */
  reported?: (stdout: string, stderr: string) => boolean;
  /** Substrings of which one must appear in an error for it to count as located (file, key, flag). */
  locate?: string[];
}

export interface CaseResult {
  fuzz: FuzzCase;
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
  hung: boolean;
}

const child = fileURLToPath(new URL('./harness-child.ts', import.meta.url));

class Worker {
  private readonly process: ChildProcess;
  private readonly pending = new Map<string, (line: Record<string, unknown>) => void>();

  constructor() {
    this.process = spawn(process.execPath, ['--conditions=attune-source', '--import', 'tsx', child], {
      stdio: ['pipe', 'ignore', 'ignore', 'pipe'],
      env: { ...process.env, CI: 'true' },
    });
    createInterface({ input: this.process.stdio[3] as Readable }).on('line', (line) => {
      const answer = JSON.parse(line) as Record<string, unknown>;
      this.pending.get(answer.id as string)?.(answer);
    });
  }

  run(fuzz: FuzzCase, timeoutMs: number): Promise<CaseResult> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(fuzz.id);
        resolve({ fuzz, code: null, stdout: '', stderr: '', ms: timeoutMs, hung: true });
      }, timeoutMs);
      this.pending.set(fuzz.id, (answer) => {
        clearTimeout(timer);
        this.pending.delete(fuzz.id);
        resolve({ fuzz, code: answer.code as number, stdout: answer.stdout as string, stderr: answer.stderr as string, ms: answer.ms as number, hung: false });
      });
      this.process.stdin!.write(`${JSON.stringify({ id: fuzz.id, argv: fuzz.argv })}\n`);
    });
  }

  kill(): void {
    this.process.kill('SIGKILL');
  }
}

export async function runCases(cases: readonly FuzzCase[], timeoutMs: number): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  let worker = new Worker();
  try {
    for (const fuzz of cases) {
      const result = await worker.run(fuzz, timeoutMs);
      results.push(result);
      if (result.hung) {
        worker.kill();
        worker = new Worker();
      }
    }
  } finally {
    worker.kill();
  }
  return results;
}
