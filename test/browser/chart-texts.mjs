/**
 * What a reader sees of an ECharts chart's texts: the ones drawn and not hidden (hideOverlap,
 * interval), in canvas pixels, cut to their clip (a scrolling legend clips the items off its page),
 * and the problems among them: two texts overlapping, or a text running off the chart.
 * Plain JavaScript, so both the browser tests (imported) and Puppeteer (injected into the page as
 * a module, `globalThis.opChartTextProblems`) use the same check.
 */

/** @param {import('echarts/core').ECharts} chart */
export function chartTexts(chart) {
  const list = chart.getZr().storage.getDisplayList(true);
  const texts = [];
  for (const el of list) {
    if (el.type !== 'tspan' || el.invisible || el.style.opacity === 0 || !el.style.text?.trim()) continue;
    const rect = el.getBoundingRect().clone();
    if (el.transform) rect.applyTransform(el.transform);
    let [x0, y0, x1, y1] = [rect.x, rect.y, rect.x + rect.width, rect.y + rect.height];
    for (const clip of el.__clipPaths ?? []) {
      const c = el.getBoundingRect().clone();
      Object.assign(c, clip.shape);
      if (clip.transform) c.applyTransform(clip.transform);
      [x0, y0, x1, y1] = [Math.max(x0, c.x), Math.max(y0, c.y), Math.min(x1, c.x + c.width), Math.min(y1, c.y + c.height)];
    }
    if (x1 - x0 > 1 && y1 - y0 > 1) texts.push({ text: el.style.text, x: x0, y: y0, width: x1 - x0, height: y1 - y0 });
  }
  return texts;
}

/** Texts overlapping by more than 1 px each way, or running more than 1 px off the chart. */
export function chartTextProblems(chart) {
  const texts = chartTexts(chart);
  const problems = [];
  for (let i = 0; i < texts.length; i++) {
    const a = texts[i];
    if (a.x < -1 || a.x + a.width > chart.getWidth() + 1) problems.push(`"${a.text}" runs off the chart (${Math.round(a.x)}-${Math.round(a.x + a.width)} of ${chart.getWidth()})`);
    for (let j = i + 1; j < texts.length; j++) {
      const b = texts[j];
      const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
      const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
      if (w > 1 && h > 1) problems.push(`"${a.text}" and "${b.text}" overlap`);
    }
  }
  return problems;
}

globalThis.opChartTextProblems = chartTextProblems;
