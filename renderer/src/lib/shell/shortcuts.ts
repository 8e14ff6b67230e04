/** Every keyboard shortcut of the lab, in one table: the handler and the help overlay both read it. */
export type ShortcutAction =
  | 'check' | 'continue' | 'reverse' | 'step' | 'stepOver' | 'stepOut' | 'stepBack' | 'runToCursor' | 'toggleBreakpoint' | 'stop' | 'help';

export interface Shortcut {
  action: ShortcutAction;
  key: string;
  shift?: boolean;
  ctrl?: boolean;
  label: string;
  description: string;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { action: 'check', key: 'Enter', ctrl: true, label: 'Ctrl+Enter', description: 'Check the exercise (grade every case)' },
  { action: 'continue', key: 'F5', label: 'F5', description: 'Run until a breakpoint, a fault or hlt' },
  { action: 'reverse', key: 'F5', shift: true, label: 'Shift+F5', description: 'Run backwards to the previous breakpoint or the start' },
  { action: 'step', key: 'F11', label: 'F11', description: 'Step one instruction' },
  { action: 'stepOver', key: 'F10', label: 'F10', description: 'Step over a call' },
  { action: 'stepOut', key: 'F11', shift: true, label: 'Shift+F11', description: 'Step out of the current function' },
  { action: 'stepBack', key: 'F8', label: 'F8', description: 'Step back one instruction' },
  { action: 'runToCursor', key: 'F4', label: 'F4', description: 'Run to the line of the cursor' },
  { action: 'toggleBreakpoint', key: 'F9', label: 'F9', description: 'Toggle a breakpoint on the cursor line' },
  { action: 'stop', key: 'Escape', shift: true, label: 'Shift+Esc', description: 'Stop a running program' },
  { action: 'help', key: '?', label: '?', description: 'Show this list' },
];

export function matchShortcut(event: Pick<KeyboardEvent, 'key' | 'shiftKey' | 'ctrlKey' | 'metaKey'>): Shortcut | undefined {
  return SHORTCUTS.find((s) => {
    if (s.key !== event.key) return false;
    if (s.key === '?') return true;
    return Boolean(s.shift) === event.shiftKey && Boolean(s.ctrl) === (event.ctrlKey || event.metaKey);
  });
}
