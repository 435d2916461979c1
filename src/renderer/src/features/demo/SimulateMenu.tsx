// Demo control: start a simulated call from a scenario list, and the auto-demo switch.
import { useEffect, useRef, useState } from 'react';
import { DEMO_SCENARIOS, type DemoScenario } from '../../../../shared/model';
import { useT } from '../../i18n/useT';
import { useActions, useConsole } from '../../store/context';
import { ChevronDownIcon, PlayIcon } from '../../ui/icons';

export function SimulateMenu({ align = 'up' }: { align?: 'up' | 'down' }) {
  const t = useT();
  const demo = useConsole((s) => s.demo);
  const { simulate, setAutoDemo } = useActions();
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (!ref.current?.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  if (!demo.enabled) return null;
  const pick = (scenario: DemoScenario) => {
    setOpen(false);
    void simulate(scenario);
  };
  return (
    <div className="simulate" ref={ref}>
      <button type="button" className="btn btn-secondary simulate-btn" aria-haspopup="menu" aria-expanded={open} onClick={() => setOpen(!open)}>
        <PlayIcon size={14} />
        {t('demo.simulate')}
        <ChevronDownIcon size={14} />
      </button>
      {open ? (
        <div className={`menu menu-${align}`} role="menu" aria-label={t('demo.simulate')}>
          {DEMO_SCENARIOS.map((scenario) => (
            <button key={scenario} type="button" role="menuitem" className="menu-item" data-scenario={scenario} onClick={() => pick(scenario)}>
              {t(`demo.scenario.${scenario}`)}
            </button>
          ))}
        </div>
      ) : null}
      <label className="switch">
        <input type="checkbox" role="switch" checked={demo.autoDemo} aria-checked={demo.autoDemo} onChange={(e) => void setAutoDemo(e.target.checked)} />
        <span className="switch-track" aria-hidden="true" />
        <span>{t('demo.auto')}</span>
      </label>
    </div>
  );
}
