/**
 * echarts, tree-shaken to what chat charts use (bar, line, pie, funnel; dataset + encode; SVG so
 * the chart is real DOM that tests and screen magnifiers can read). Lazy: its own chunk.
 */
import type { EChartsOption } from 'echarts';
import { BarChart, FunnelChart, LineChart, PieChart } from 'echarts/charts';
import { DatasetComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { type ECharts, init, use } from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';

use([BarChart, LineChart, PieChart, FunnelChart, DatasetComponent, GridComponent, LegendComponent, TooltipComponent, SVGRenderer]);

export default function EChart({ option, label }: { option: EChartsOption; label: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<ECharts | null>(null);

  useEffect(() => {
    const el = ref.current!;
    // Without a layout (tests, a hidden drawer) the container has no size yet.
    const size = el.clientWidth > 0 ? {} : { width: 600, height: 256 };
    const instance = init(el, null, { renderer: 'svg', ...size });
    chart.current = instance;
    const observer = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(() => instance.resize());
    observer?.observe(el);
    return () => {
      observer?.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption(option, { notMerge: true });
  }, [option]);

  return <div ref={ref} role="img" aria-label={label} className="h-64 w-full" />;
}
