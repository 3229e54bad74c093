/** One line of a chart; a point whose y is not finite breaks the line there (a gap). */
export interface ChartSeries {
  name: string;
  points: [number, number][];
}

/** A shaded x range, such as a fault window, with a short label at its top. */
export interface ChartBand {
  from: number;
  to: number;
  label: string;
}

export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: ChartSeries[];
  bands?: ChartBand[];
  /** A log y axis, for latencies that span milliseconds to seconds; y <= 0 becomes a gap. */
  yLog?: boolean;
}

const WIDTH = 760;
const HEIGHT = 340;
const MARGIN = { left: 72, right: 20, top: 56, bottom: 48 };
const PLOT_W = WIDTH - MARGIN.left - MARGIN.right;
const PLOT_H = HEIGHT - MARGIN.top - MARGIN.bottom;
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];
const FONT = 'font-family="sans-serif"';

/** Escapes text for SVG content and attribute values alike. */
export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** A tick step of 1, 2 or 5 times a power of ten, giving about `count` ticks over `span`. */
function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  const nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
  return nice * power;
}

/** Tick values inside [min, max], on multiples of a nice step. */
export function niceTicks(min: number, max: number, count: number): number[] {
  const step = niceStep(max - min, count);
  const ticks: number[] = [];
  // Rounding to the step's precision keeps 0.1 + 0.2 noise out of the labels.
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) {
    ticks.push(Number(v.toPrecision(12)));
  }
  return ticks;
}

/** Short tick labels: 12000 → "12k", 2500 → "2.5k", 2500000 → "2.5M", 0.25 → "0.25". */
export function tickLabel(value: number): string {
  const abs = Math.abs(value);
  const trim = (v: number) => String(Number(v.toFixed(2)));
  if (abs >= 1e6) return `${trim(value / 1e6)}M`;
  if (abs >= 1e3) return `${trim(value / 1e3)}k`;
  return trim(value);
}

interface Scale {
  x: (v: number) => number;
  /** NaN where the value cannot be drawn (zero or below on a log axis). */
  y: (v: number) => number;
  xTicks: number[];
  yTicks: number[];
}

interface Axis {
  /** Maps a value to 0..1 along the axis. */
  unit: (v: number) => number;
  ticks: number[];
}

/** Both ends on nice ticks, so the axis starts and ends on a labelled value. */
function linearAxis(values: number[], count: number, fromZero: boolean): Axis {
  let lo = values.length ? Math.min(...values) : 0;
  let hi = values.length ? Math.max(...values) : 1;
  if (fromZero) lo = Math.min(0, lo);
  if (hi <= lo) hi = lo + 1;
  const step = niceStep(hi - lo, count);
  lo = Math.floor(lo / step) * step;
  hi = Math.ceil(hi / step) * step;
  return { unit: (v) => (v - lo) / (hi - lo), ticks: niceTicks(lo, hi, count) };
}

/** Decades around the positive values; latencies span 1 ms to 10 s under faults. */
function logAxis(values: number[]): Axis {
  const positive = values.filter((v) => v > 0);
  const lo = positive.length ? Math.floor(Math.log10(Math.min(...positive))) : 0;
  let hi = positive.length ? Math.ceil(Math.log10(Math.max(...positive))) : 1;
  if (hi <= lo) hi = lo + 1;
  const ticks = Array.from({ length: hi - lo + 1 }, (_, i) =>
    Number((10 ** (lo + i)).toPrecision(12)),
  );
  return { unit: (v) => (v > 0 ? (Math.log10(v) - lo) / (hi - lo) : Number.NaN), ticks };
}

/** x spans the data and the bands; y starts at 0 (or spans decades when `yLog`). */
function buildScale(series: ChartSeries[], bands: ChartBand[], yLog: boolean): Scale {
  const xs = series.flatMap((s) => s.points.map((p) => p[0])).filter(Number.isFinite);
  const ys = series.flatMap((s) => s.points.map((p) => p[1])).filter(Number.isFinite);
  xs.push(...bands.flatMap((b) => [b.from, b.to]));
  const xAxis = linearAxis(xs, 10, false);
  const yAxis = yLog ? logAxis(ys) : linearAxis(ys, 5, true);
  return {
    x: (v) => MARGIN.left + xAxis.unit(v) * PLOT_W,
    y: (v) => MARGIN.top + PLOT_H - yAxis.unit(v) * PLOT_H,
    xTicks: xAxis.ticks,
    yTicks: yAxis.ticks,
  };
}

const round = (v: number) => Number(v.toFixed(1));

function axes(scale: Scale, xLabel: string, yLabel: string): string[] {
  const bottom = MARGIN.top + PLOT_H;
  const out = [
    `<line x1="${MARGIN.left}" y1="${bottom}" x2="${MARGIN.left + PLOT_W}" y2="${bottom}" ` +
      'stroke="#333"/>',
    `<line x1="${MARGIN.left}" y1="${MARGIN.top}" x2="${MARGIN.left}" y2="${bottom}" ` +
      'stroke="#333"/>',
  ];
  for (const t of scale.xTicks) {
    const x = round(scale.x(t));
    out.push(`<line x1="${x}" y1="${bottom}" x2="${x}" y2="${bottom + 5}" stroke="#333"/>`);
    out.push(text(x, bottom + 18, tickLabel(t), 'middle', 11));
  }
  for (const t of scale.yTicks) {
    const y = round(scale.y(t));
    out.push(
      `<line x1="${MARGIN.left}" y1="${y}" x2="${MARGIN.left + PLOT_W}" y2="${y}" ` +
        'stroke="#e5e5e5"/>',
    );
    out.push(text(MARGIN.left - 8, y + 4, tickLabel(t), 'end', 11));
  }
  out.push(text(MARGIN.left + PLOT_W / 2, HEIGHT - 8, xLabel, 'middle', 12));
  const yMid = MARGIN.top + PLOT_H / 2;
  out.push(
    `<text x="16" y="${yMid}" transform="rotate(-90 16 ${yMid})" text-anchor="middle" ` +
      `font-size="12" ${FONT}>${escapeXml(yLabel)}</text>`,
  );
  return out;
}

function text(x: number, y: number, content: string, anchor: string, size: number): string {
  return (
    `<text x="${round(x)}" y="${round(y)}" text-anchor="${anchor}" font-size="${size}" ` +
    `${FONT}>${escapeXml(content)}</text>`
  );
}

/** Bands are drawn first, under the lines; labels alternate rows so neighbours stay legible. */
function bandMarks(scale: Scale, bands: ChartBand[]): string[] {
  return bands.flatMap((band, i) => {
    const x1 = round(scale.x(band.from));
    const width = Math.max(1, round(scale.x(band.to) - x1));
    return [
      `<rect class="band" x="${x1}" y="${MARGIN.top}" width="${width}" height="${PLOT_H}" ` +
        'fill="#f4a261" fill-opacity="0.22"/>',
      text(x1 + 3, MARGIN.top + 12 + (i % 2) * 12, band.label, 'start', 10),
    ];
  });
}

/** An SVG path, with a new subpath after every gap (a point that cannot be drawn). */
function pathData(scale: Scale, points: [number, number][]): string {
  const parts: string[] = [];
  let penDown = false;
  for (const [x, y] of points) {
    const [px, py] = [scale.x(x), scale.y(y)];
    if (!Number.isFinite(px) || !Number.isFinite(py)) {
      penDown = false;
      continue;
    }
    parts.push(`${penDown ? 'L' : 'M'}${round(px)} ${round(py)}`);
    penDown = true;
  }
  return parts.join(' ');
}

function legend(series: ChartSeries[]): string[] {
  let x = MARGIN.left;
  const y = MARGIN.top - 14;
  return series.flatMap((s, i) => {
    const color = COLORS[i % COLORS.length] ?? '#000';
    const marks = [
      `<line x1="${x}" y1="${y - 4}" x2="${x + 18}" y2="${y - 4}" stroke="${color}" ` +
        'stroke-width="2"/>',
      text(x + 22, y, s.name, 'start', 11),
    ];
    // No text metrics without a browser: about 6.5 px a character at 11 px is close enough.
    x += 22 + s.name.length * 6.5 + 18;
    return marks;
  });
}

/**
 * A self-contained SVG line chart: axes with ticks, a legend, one <path> per series and one
 * shaded <rect class="band"> per band. All text is escaped; no fonts or scripts are loaded.
 */
export function lineChartSvg(opts: LineChartOptions): string {
  const bands = opts.bands ?? [];
  const scale = buildScale(opts.series, bands, opts.yLog ?? false);
  const lines = opts.series.map((s, i) => {
    const color = COLORS[i % COLORS.length] ?? '#000';
    return (
      `<path class="series" d="${pathData(scale, s.points)}" fill="none" stroke="${color}" ` +
      `stroke-width="1.8" stroke-linejoin="round"><title>${escapeXml(s.name)}</title></path>`
    );
  });
  const title = escapeXml(opts.title);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" ` +
      `viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${title}">`,
    `<title>${title}</title>`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    text(MARGIN.left, 22, opts.title, 'start', 14),
    ...bandMarks(scale, bands),
    ...axes(scale, opts.xLabel, opts.yLabel),
    ...lines,
    ...legend(opts.series),
    '</svg>',
    '',
  ].join('\n');
}
