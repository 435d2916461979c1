// One figure beside a chart: a label over a tabular number; the hero one is larger, a bad one red.
import type { ReactNode } from 'react';

export function Stat({ label, value, hero = false, bad = false, title, testId }: { label: string; value: ReactNode; hero?: boolean; bad?: boolean; title?: string; testId?: string }) {
  return (
    <div className={`stat${hero ? ' stat-hero' : ''}${bad ? ' bad' : ''}`}>
      <dt title={title}>{label}</dt>
      <dd data-testid={testId}>{value}</dd>
    </div>
  );
}
