// Messages between the fuzz runner and its fenced children.
export type ParentMessage =
  | { kind: 'run'; target: string; seed: number; start: number; end: number; timeMs: number }
  | { kind: 'replay'; target: string; seedLabel: string; input: string };

export interface ErrorInfo {
  name: string;
  message: string;
  stack: string;
}

export type ChildMessage =
  | { t: 'ready'; seeds: number }
  | { t: 'start'; i: number }
  | {
      t: 'result';
      i: number;
      outcome: 'ok' | 'typed' | 'untyped';
      codes: string[];
      error?: ErrorInfo;
      seedLabel?: string;
      steps?: string[];
    }
  | { t: 'crash'; i: number; error: ErrorInfo; how: string }
  | { t: 'done' };
