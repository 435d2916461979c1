// Keyboard shortcuts for the live list (pure decision; App wires it to keydown).
export type KeyAction = 'up' | 'down' | 'open' | 'handoff' | null;

export interface KeyInput {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
  /** The focused element's tag and whether it is editable. */
  targetTag?: string;
  targetEditable?: boolean;
  dialogOpen?: boolean;
  view: 'live' | 'history' | 'setup';
}

export function keyAction(input: KeyInput): KeyAction {
  if (input.dialogOpen || input.view !== 'live') return null;
  if (input.ctrlKey || input.metaKey || input.altKey) return null;
  const tag = (input.targetTag ?? '').toUpperCase();
  if (input.targetEditable || tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT') return null;
  switch (input.key) {
    case 'ArrowUp':
      return 'up';
    case 'ArrowDown':
      return 'down';
    case 'Enter':
      // Enter on a focused button keeps its own meaning
      return tag === 'BUTTON' || tag === 'A' ? null : 'open';
    case 'h':
    case 'H':
    case 'ㅗ': // H on a Korean keyboard layout
      return 'handoff';
    default:
      return null;
  }
}
