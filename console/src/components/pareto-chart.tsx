import { Chart, Legend, LinearScale, LineController, LineElement, PointElement, ScatterController, Tooltip, type Plugin } from 'chart.js';
import { useEffect, useRef } from 'react';

Chart.register(ScatterController, LineController, LineElement, PointElement, LinearScale, Tooltip, Legend);

export interface PlotPoint {
  model: string;
  quality: number;
  performance: number;
}

/** Writes what the chart really drew onto its canvas, so a test (or a screen reader's table) can check it. */
const drawnCounts: Plugin = {
  id: 'drawnCounts',
  afterRender(chart) {
    chart.canvas.dataset.points = String(chart.getDatasetMeta(0).data.length);
    chart.canvas.dataset.frontPoints = String(chart.data.datasets.length > 1 ? chart.getDatasetMeta(1).data.length : 0);
  },
};

/** Quality against performance, one point per model, with the Pareto front drawn as a line through its models. */
export function ParetoChart({ points, front, qualityMetric, performanceMetric }: { points: PlotPoint[]; front: PlotPoint[]; qualityMetric: string; performanceMetric: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current) return;
    const sortedFront = [...front].sort((a, b) => a.performance - b.performance);
    const chart = new Chart(canvas.current, {
      type: 'scatter',
      data: {
        datasets: [
          { label: 'Models', data: points.map((p) => ({ x: p.performance, y: p.quality, model: p.model })), backgroundColor: '#3b6fd8', pointRadius: 5 },
          {
            type: 'line',
            label: 'Pareto front',
            data: sortedFront.map((p) => ({ x: p.performance, y: p.quality, model: p.model })),
            borderColor: '#d9480f',
            backgroundColor: '#d9480f',
            pointRadius: 7,
            pointStyle: 'rectRot',
            showLine: true,
            fill: false,
          },
        ],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: {
          x: { type: 'linear', title: { display: true, text: performanceMetric } },
          y: { type: 'linear', title: { display: true, text: qualityMetric } },
        },
        plugins: {
          tooltip: {
            callbacks: {
              label: (item) => {
                const raw = item.raw as { x: number; y: number; model: string };
                return `${raw.model}: ${qualityMetric} ${raw.y}, ${performanceMetric} ${raw.x}`;
              },
            },
          },
        },
      },
      plugins: [drawnCounts],
    });
    return () => chart.destroy();
  }, [points, front, qualityMetric, performanceMetric]);
  return (
    <figure className="chart">
      <div className="chart-box">
        <canvas ref={canvas} role="img" aria-label={`Scatter plot of ${qualityMetric} against ${performanceMetric}: ${points.length} models, ${front.length} on the Pareto front`} />
      </div>
      <figcaption>
        {qualityMetric} (up) against {performanceMetric} (across); the line joins the models no other beats on both.
      </figcaption>
    </figure>
  );
}
