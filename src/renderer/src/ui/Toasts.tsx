// Command outcomes, bottom right; each goes away on its own after a few seconds.
import { useEffect } from 'react';
import { useActions, useConsole } from '../store/context';
import type { Toast } from '../store/store';

function ToastItem({ toast }: { toast: Toast }) {
  const { dismissToast } = useActions();
  useEffect(() => {
    const timer = setTimeout(() => dismissToast(toast.id), toast.tone === 'error' ? 8000 : 4000);
    return () => clearTimeout(timer);
  }, [toast, dismissToast]);
  return (
    <div className={`toast toast-${toast.tone}`} role={toast.tone === 'error' ? 'alert' : 'status'} onClick={() => dismissToast(toast.id)}>
      {toast.text}
    </div>
  );
}

export function Toasts() {
  const toasts = useConsole((s) => s.toasts);
  return (
    <div className="toasts">
      {toasts.map((toast) => (
        <ToastItem key={toast.id} toast={toast} />
      ))}
    </div>
  );
}
